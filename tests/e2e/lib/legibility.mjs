// Measures what a learner can read in the cluster picture, in the page: the smallest drawn text (in
// CSS px, after the picture's scaling), pairs of texts that overlap, texts that stick out of the box
// they belong to or out of the picture, texts that a message in flight covers, and the share of the
// screen the picture gets.
//
// Texts are every visible SVG <text> of the given pictures (message labels included); a text belongs
// to the box drawn as `rect.box` (or `rect[data-box]`) in its nearest ancestor group that has one.
// This file is not a test; the legibility test and `scripts/bench.sh` style measurements import it.

/**
 * Runs in the page: returns { covered, smallest, smallestText, texts, overlaps, clipped, share, frameShare,
 * pictures }: `share` is the part of the screen the drawn picture covers, `frameShare` the part
 * given to it (its frame), both in per cent.
 */
export function measureInPage(selector) {
  const viewportArea = window.innerWidth * window.innerHeight;
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
    for (let p = el; p && p instanceof Element; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const label = (el) => (el.textContent || '').trim().slice(0, 40);
  const svgs = [...document.querySelectorAll(selector)].filter((s) => s.getBoundingClientRect().width > 0);
  const boxes = [];
  let smallest = Infinity;
  let smallestText = '';
  let pictureArea = 0;
  let frameArea = 0;
  for (const svg of svgs) {
    const sr = svg.getBoundingClientRect();
    const frame = svg.closest('.picture-frame') || svg.parentElement;
    const fr = frame.getBoundingClientRect();
    // The part of the picture on screen: inside its frame (a panned picture shows only there) and
    // inside the viewport.
    const w = Math.max(0, Math.min(sr.right, fr.right, window.innerWidth) - Math.max(sr.left, fr.left, 0));
    const h = Math.max(0, Math.min(sr.bottom, fr.bottom, window.innerHeight) - Math.max(sr.top, fr.top, 0));
    pictureArea += w * h;
    const fw = Math.max(0, Math.min(fr.right, window.innerWidth) - Math.max(fr.left, 0));
    const fh = Math.max(0, Math.min(fr.bottom, window.innerHeight) - Math.max(fr.top, 0));
    frameArea += fw * fh;
    const ctm = svg.getScreenCTM();
    const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
    for (const t of svg.querySelectorAll('text')) {
      // Things in motion (a partition travelling to its new owner, the leader's star) are, like
      // messages, passing over the picture for a moment.
      if (t.closest('[data-moving]')) continue;
      if (!visible(t) || !label(t)) continue;
      const r = t.getBoundingClientRect();
      // Only what is on screen in the picture's frame is read (a panned picture hides the rest).
      if (r.right < fr.left || r.left > fr.right || r.bottom < fr.top || r.top > fr.bottom) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < smallest) {
        smallest = px;
        smallestText = label(t);
      }
      let box = null;
      for (let g = t.parentElement; g && g !== svg; g = g.parentElement) {
        const b = g.querySelector(':scope > rect.box, :scope > rect[data-box]');
        if (b) {
          box = b.getBoundingClientRect();
          break;
        }
      }
      boxes.push({ text: label(t), r: { l: r.left, t: r.top, r: r.right, b: r.bottom }, box, svg: sr });
    }
  }
  const overlaps = [];
  // Glyph boxes include a little leading: shrink by 1 px each side so touching lines are not overlaps.
  const inset = 1;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r;
      const b = boxes[j].r;
      if (a.l + inset < b.r - inset && b.l + inset < a.r - inset && a.t + inset < b.b - inset && b.t + inset < a.b - inset) {
        overlaps.push(`"${boxes[i].text}" × "${boxes[j].text}"`);
      }
    }
  }
  const clipped = [];
  const slack = 0.5;
  for (const { text, r, box, svg } of boxes) {
    if (r.l < svg.left - slack || r.r > svg.right + slack || r.t < svg.top - slack || r.b > svg.bottom + slack) {
      clipped.push(`"${text}" leaves the picture`);
    } else if (box && (r.l < box.left - slack || r.r > box.right + slack || r.t < box.top - slack || r.b > box.bottom + slack)) {
      clipped.push(`"${text}" leaves its box`);
    }
  }
  // Messages in flight and changes in motion never cover a text: they are drawn in the layer under
  // the picture (an earlier sibling, no z-index), and every text they pass under has a halo (a
  // stroke painted before the fill) of the colour it is drawn on, so the text stays whole. Listed
  // here: each text a moving thing's box meets where that does not hold.
  const covered = [];
  const fillUnder = (layers, x, y) => {
    // The topmost fill of the backdrop layer under the point, else the frame's background.
    let fill = null;
    for (const r of layers.querySelectorAll(':scope > svg.backdrop rect')) {
      const b = r.getBoundingClientRect();
      if (x >= b.left && x <= b.right && y >= b.top && y <= b.bottom) fill = getComputedStyle(r).fill;
    }
    return fill || getComputedStyle(layers.closest('.picture-frame') || layers).backgroundColor;
  };
  for (const svg of svgs) {
    const layers = svg.parentElement;
    const under = layers.querySelector(':scope > svg.messages-layer');
    const below =
      under &&
      under.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING &&
      getComputedStyle(under).zIndex === 'auto' &&
      getComputedStyle(svg).zIndex === 'auto';
    const movers = [
      ...[...(under ? under.querySelectorAll('g.msg, [data-moving]') : [])].map((el) => ({ el, over: !below })),
      ...[...svg.querySelectorAll('g.msg, [data-moving]')].map((el) => ({ el, over: true })),
    ]
      .filter(({ el }) => visible(el))
      .map(({ el, over }) => ({ r: el.getBoundingClientRect(), over, kind: el.dataset.kind || el.dataset.moving || 'message' }));
    if (!movers.length) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!visible(t) || !label(t)) continue;
      const r = t.getBoundingClientRect();
      const hit = movers.find((m) => m.r.left < r.right - inset && r.left + inset < m.r.right && m.r.top < r.bottom - inset && r.top + inset < m.r.bottom);
      if (!hit) continue;
      const cs = getComputedStyle(t);
      const opacity = (el) => {
        let o = 1;
        for (let p = el; p && p !== svg; p = p.parentElement) o *= Number(getComputedStyle(p).opacity);
        return o;
      };
      if (hit.over) {
        covered.push(`"${label(t)}" under a ${hit.kind} drawn over it`);
        continue;
      }
      if (opacity(t) < 0.99 || Number(cs.fillOpacity) < 0.99) {
        covered.push(`"${label(t)}" is translucent over a ${hit.kind}`);
        continue;
      }
      // A record's key on its opaque square: the square hides what passes under it.
      const cx = (r.left + r.right) / 2;
      const cy = (r.top + r.bottom) / 2;
      const onOpaque = [...t.parentElement.querySelectorAll(':scope > rect')].some((q) => {
        const b = q.getBoundingClientRect();
        const qs = getComputedStyle(q);
        return cx >= b.left && cx <= b.right && cy >= b.top && cy <= b.bottom && qs.fill !== 'none' && !qs.fill.startsWith('url') && Number(qs.fillOpacity) >= 0.99 && opacity(q) >= 0.99;
      });
      if (onOpaque) continue;
      const haloed = cs.paintOrder.startsWith('stroke') && cs.stroke !== 'none' && parseFloat(cs.strokeWidth) >= 2;
      const matches = haloed && cs.stroke === fillUnder(layers, cx, cy);
      if (!haloed) covered.push(`"${label(t)}" has no halo against a ${hit.kind}`);
      else if (!matches) covered.push(`"${label(t)}": its halo ${cs.stroke} is not the colour under it`);
    }
  }
  return {
    covered,
    smallest: smallest === Infinity ? null : Math.round(smallest * 10) / 10,
    smallestText,
    texts: boxes.length,
    overlaps,
    clipped,
    share: Math.round((pictureArea / viewportArea) * 1000) / 10,
    frameShare: Math.round((frameArea / viewportArea) * 1000) / 10,
    pictures: svgs.length,
  };
}

/** Measures the page's cluster picture(s) (default: every drawn picture; not the layers of fills,
 * messages and pointer labels under and over it). */
export function measure(page, selector = 'svg.cluster.picture-main') {
  return page.evaluate(measureInPage, selector);
}
