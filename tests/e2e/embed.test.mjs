// Embedding: the example page (examples/embed.html, served as dist/examples/) embeds two scenarios
// in <iframe sandbox="allow-scripts">; both render; the host drives them with postMessage and gets
// results and sim events back; messages from the wrong window or the wrong origin are ignored.
// Also the URL parameters (scenario, t, autoplay, theme, unknown names), the Embed button's snippet,
// an iframe that sizes itself to `kafkascope:size` and follows the host's theme.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, openMore } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;

/** data-state of broker `b` inside a frame. */
const brokerState = (frame, b) => frame.locator(`svg#cluster g.broker[data-broker="${b}"]`).getAttribute('data-state');

describe(`kafkascope embedding (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;
  let left;
  let right;

  before(async () => {
    browser = await launch({ viewport: { width: 1500, height: 1000 } });
    page = browser.page;
  });

  after(async () => {
    if (browser) {
      const file = await browser.screenshot('embed-example');
      if (file) console.log(`# screenshot: ${file}`);
      await browser.close();
    }
  });

  it('the example page renders both sandboxed iframes, each a cluster', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, 'examples/embed.html');
    left = page.frameLocator('#left iframe');
    right = page.frameLocator('#right iframe');
    for (const f of [left, right]) {
      await f.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
      assert.equal(await f.locator('svg#cluster g.broker').count(), 3);
      assert.equal(await f.locator('#console-input').count(), 0, 'minimal chrome: no console');
      assert.equal(await f.locator('.share-bar').count(), 0, 'minimal chrome: no share bar');
      // The picture is on show: its frame fills the iframe between the bars, and the drawing
      // is inside it at a readable size (an embed once drew it in a frame 0 px high).
      const box = await f.locator('.picture-frame').evaluate((el) => {
        const fr = el.getBoundingClientRect();
        const svg = el.querySelector('svg#cluster').getBoundingClientRect();
        return { frameH: fr.height, frameW: fr.width, svgH: svg.height, svgW: svg.width, svgTop: svg.top - fr.top, page: innerHeight };
      });
      assert.ok(box.frameH > box.page * 0.5, `the picture frame is ${box.frameH} px of ${box.page}`);
      assert.ok(box.svgTop >= 0 && box.svgH <= box.frameH + 1 && box.svgH > 150, JSON.stringify(box));
    }
    assert.equal(await page.getAttribute('#left iframe', 'sandbox'), 'allow-scripts');
    // Each iframe said it is ready, with its scenario's seed.
    await page.locator('#left .log li[data-type="ready"]').waitFor({ state: 'attached' });
    await page.locator('#right .log li[data-type="ready"]').waitFor({ state: 'attached' });
    assert.match(await page.locator('#left .log li[data-type="ready"]').textContent(), /acks1-loss, seed 11/);
    browser.assertNoErrors('after loading the example page');
  });

  it('events come to the host as the scenarios play: leader elected, records lost', { timeout: STEP_TIMEOUT }, async () => {
    for (const side of ['left', 'right']) {
      await page.locator(`#${side} .log li[data-event="leader-elected"]`).first().waitFor({ state: 'attached', timeout: 60_000 });
      assert.match(await page.locator(`#${side} .log li[data-event="leader-elected"]`).first().textContent(), /orders-0: leader 1 → 2/);
    }
    // acks=1 loses the record the old leader acknowledged; acks=all does not.
    await page.locator('#left .log li[data-event="records-lost"]').first().waitFor({ state: 'attached', timeout: 60_000 });
    assert.equal(await page.locator('#right .log li[data-event="records-lost"]').count(), 0);
    browser.assertNoErrors('while events arrive');
  });

  it('the host sends commands and gets the result back; errors come back as errors', { timeout: STEP_TIMEOUT }, async () => {
    await page.fill('#left input[name="command"]', 'broker kill 3');
    await page.click('#left button[type="submit"]');
    const ok = page.locator('#left .log li[data-type="result"][data-ok="true"]');
    await ok.first().waitFor({ state: 'attached' });
    assert.match(await ok.first().textContent(), /broker kill 3/);
    await waitFor(page.frames().find((f) => f.url().includes('acks1-loss')), 'broker 3 dead in the left iframe',
      () => document.querySelector('g.broker[data-broker="3"]')?.dataset.state === 'dead');
    assert.equal(await brokerState(right, 3), 'alive', 'the other iframe is untouched');

    await page.fill('#left input[name="command"]', 'broker kill 99');
    await page.click('#left button[type="submit"]');
    const bad = page.locator('#left .log li[data-type="result"][data-ok="false"]');
    await bad.first().waitFor({ state: 'attached' });
    assert.match(await bad.first().textContent(), /99/);
    browser.assertNoErrors('after sending commands');
  });

  it('a message that does not come from the parent window is ignored', { timeout: STEP_TIMEOUT }, async () => {
    const frame = page.frames().find((f) => f.url().includes('acks1-loss'));
    assert.equal(await brokerState(left, 2), 'alive');
    // The iframe posts to itself: right type, but the source is not window.parent.
    await frame.evaluate(() => window.postMessage({ type: 'kafkascope:command', id: 'self', command: 'broker kill 2' }, '*'));
    // Messages are handled in order: once a later valid command's result is back, the first was seen.
    const before = await page.locator('#left .log li[data-type="result"]').count();
    await page.fill('#left input[name="command"]', 'kafka-topics --list');
    await page.click('#left button[type="submit"]');
    await waitFor(page, 'the result of the later command', (n) => document.querySelectorAll('#left .log li[data-type="result"]').length > n, before);
    assert.equal(await brokerState(left, 2), 'alive', 'the self-posted command did not run');
    assert.equal(await page.locator('#left .log li[data-id="self"]').count(), 0, 'and got no reply');
  });

  it('a host whose origin is not the allowed one is ignored', { timeout: STEP_TIMEOUT }, async () => {
    // A third iframe that only trusts https://wrong.example: this page is not that origin.
    await page.evaluate(() => {
      window.__fromWrong = [];
      const f = document.createElement('iframe');
      f.id = 'wrong';
      f.setAttribute('sandbox', 'allow-scripts');
      f.src = new URL('../?embed=1&scenario=default&speed=5&origin=https%3A%2F%2Fwrong.example', location.href).href;
      // On screen: Chromium does not draw frames for an iframe scrolled out of view.
      Object.assign(f.style, { position: 'fixed', top: '0', left: '0', width: '700px', height: '450px' });
      document.body.append(f);
      window.addEventListener('message', (e) => { if (e.source === f.contentWindow) window.__fromWrong.push(e.data); });
    });
    const wrong = page.frameLocator('#wrong');
    await wrong.locator('svg#cluster g.broker[data-broker="1"]').waitFor({ state: 'attached' });
    const frame = page.frames().find((f) => f.url().includes('wrong.example'));
    const clock = () => document.querySelector('#clock')?.textContent;
    const t0 = await frame.evaluate(clock);
    await page.evaluate(() => document.querySelector('#wrong').contentWindow.postMessage({ type: 'kafkascope:command', id: 1, command: 'broker kill 1' }, '*'));
    // Two frames drawn after the message was queued: it has been handled (or ignored) by then.
    const t1 = await waitFor(frame, 'the wrong-origin iframe to draw a later frame', (t) => document.querySelector('#clock')?.textContent !== t && document.querySelector('#clock').textContent, t0);
    await waitFor(frame, 'and another one', (t) => document.querySelector('#clock')?.textContent !== t, t1);
    assert.equal(await brokerState(wrong, 1), 'alive', 'the command from a foreign origin did not run');
    assert.deepEqual(await page.evaluate(() => window.__fromWrong), [], 'nothing was posted to this page');
    // The only errors allowed: the browser refusing the iframe's own posts to https://wrong.example.
    const unexpected = browser.errors.filter((e) => !/wrong\.example/.test(e));
    browser.errors.length = 0;
    browser.errors.push(...unexpected);
    browser.assertNoErrors('with a wrong-origin host', { all: true });
  });

  it('URL parameters: a preset at a start time, paused; an unknown name gives a notice', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?embed=1&scenario=leader-failover&t=5s&autoplay=0');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await page.locator('#clock').textContent(), /00:05\.000/);
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    assert.equal(await page.getAttribute('g.broker[data-broker="1"]', 'data-state'), 'dead', 'the script killed broker 1 at the start');

    await openApp(page, '?embed=1&scenario=nope&speed=fast');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    const notices = await page.locator('.notices').textContent();
    assert.match(notices, /no scenario called "nope"/);
    assert.match(notices, /speed="fast" was ignored/);
    assert.equal(await page.locator('svg#cluster g.broker').count(), 3, 'the default session runs');
    browser.assertNoErrors('with URL parameters');
  });

  it('the Embed button gives an iframe snippet that reproduces the session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker[data-broker="2"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'broker 2 dead', () => document.querySelector('g.broker[data-broker="2"]')?.dataset.state === 'dead');
    await openMore(page);
    await page.click('#embed');
    const snippet = await page.locator('#embed-snippet').inputValue();
    assert.match(snippet, /^<iframe src="[^"]*\?embed=1&amp;s=[A-Za-z0-9_-]+" [^>]*sandbox="allow-scripts"/);
    await page.click('#embed-copy');
    // Headless Chromium may refuse the clipboard: then the snippet is selected for Ctrl+C.
    await waitFor(page, 'a copy status', () => document.querySelector('#embed-copy-status')?.textContent.length > 0);
    assert.match(await page.locator('#embed-copy-status').textContent(), /Copied|Ctrl\+C/);
    const src = snippet.match(/src="([^"]*)"/)[1].replaceAll('&amp;', '&');
    await page.goto(src);
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('g.broker[data-broker="2"]', 'data-state'), 'dead', 'the embedded session has broker 2 dead');
    assert.equal(await page.locator('#console-input').count(), 0, 'with the minimal chrome');
    browser.assertNoErrors('after the Embed button');
  });

  it('a host that follows kafkascope:size fits the picture; the theme follows the host', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, 'examples/embed.html');
    await page.evaluate(() => {
      window.__sizes = [];
      window.__results = [];
      const f = document.createElement('iframe');
      f.id = 'fit';
      f.setAttribute('sandbox', 'allow-scripts');
      f.src = new URL('../?embed=1&scenario=leader-failover&t=3s&autoplay=0&origin=*', location.href).href;
      Object.assign(f.style, { position: 'fixed', top: '0', left: '0', width: '720px', height: '300px', border: '0' });
      document.body.append(f);
      window.addEventListener('message', (e) => {
        if (e.source !== f.contentWindow) return;
        if (e.data.type === 'kafkascope:size') {
          window.__sizes.push(e.data);
          f.style.height = `${e.data.height}px`;
        }
        if (e.data.type === 'kafkascope:result') window.__results.push(e.data);
        if (e.data.type === 'kafkascope:progress') window.__progress = e.data;
      });
    });
    const fit = page.frameLocator('#fit');
    await fit.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await waitFor(page, 'a kafkascope:size message', () => window.__sizes.length > 0);
    // Settled: no new size for a while (frames keep coming while paused: wait on the iframe's own frames).
    const frame = page.frames().find((f) => f.url().includes('origin=*'));
    let n = -1;
    for (let i = 0; i < 10 && n !== (await page.evaluate(() => window.__sizes.length)); i++) {
      n = await page.evaluate(() => window.__sizes.length);
      await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 200)))));
    }
    const sizes = await page.evaluate(() => window.__sizes);
    assert.ok(sizes.length <= 4, `it settles: ${JSON.stringify(sizes)}`);
    assert.equal(sizes.at(-1).width > 600, true, JSON.stringify(sizes));
    const got = await frame.evaluate(() => {
      const fr = document.querySelector('.picture-frame').getBoundingClientRect();
      const svg = document.querySelector('svg#cluster').getBoundingClientRect();
      return { frameW: fr.width, frameH: fr.height, svgW: svg.width, svgH: svg.height, page: innerHeight };
    });
    assert.equal(got.page, sizes.at(-1).height, 'the host applied the last size');
    // The picture spans the frame's width and its height fits: no wide empty bands either way.
    assert.ok(got.svgW >= got.frameW * 0.9, `picture width ${got.svgW} of ${got.frameW}`);
    assert.ok(got.svgH <= got.frameH + 2 && got.svgH >= got.frameH * 0.85, `picture height ${got.svgH} in ${got.frameH}`);
    // The host's theme: the iframe takes it and says so.
    await page.evaluate(() => document.querySelector('#fit').contentWindow.postMessage({ type: 'kafkascope:theme', theme: 'dark', id: 't' }, '*'));
    await waitFor(frame, 'the dark theme in the iframe', () => document.documentElement.dataset.theme === 'dark');
    await waitFor(page, 'the theme result', () => window.__results.some((r) => r.theme === 'dark' && r.ok));
    await page.evaluate(() => document.querySelector('#fit').contentWindow.postMessage({ type: 'kafkascope:theme', theme: 'blue', id: 'b' }, '*'));
    await waitFor(page, 'a refusal', () => window.__results.some((r) => r.ok === false && /light/.test(r.lines[0])));
    // The host asks for a GIF: progress, then the file's bytes in the result.
    await page.evaluate(() => document.querySelector('#fit').contentWindow.postMessage({ type: 'kafkascope:gif', from_ms: 0, to_ms: 2000, width: 300, id: 'g' }, '*'));
    await waitFor(page, 'the GIF result', () => window.__results.some((r) => r.id === 'g'), undefined, { timeout: 60_000 });
    const gif = await page.evaluate(() => {
      const r = window.__results.find((x) => x.id === 'g');
      return { ok: r.ok, lines: r.lines, head: r.gif ? String.fromCharCode(...r.gif.slice(0, 6)) : null, width: r.gif ? r.gif[6] + 256 * r.gif[7] : 0, progress: window.__progress };
    });
    assert.equal(gif.ok, true, JSON.stringify(gif));
    assert.equal(gif.head, 'GIF89a');
    assert.equal(gif.width, 300);
    assert.deepEqual([gif.progress.done, gif.progress.total], [21, 21], 'progress up to the last frame');
    await page.evaluate(() => document.querySelector('#fit').contentWindow.postMessage({ type: 'kafkascope:gif', from_ms: 0, to_ms: 99000, speed: 10, id: 'late' }, '*'));
    await waitFor(page, 'a refused GIF', () => window.__results.some((r) => r.id === 'late' && r.ok === false && /after what has happened/.test(r.lines[0])));
    browser.assertNoErrors('with a self-sizing iframe', { all: true });

    // theme= in the URL, and the Embed dialog offers it.
    await openApp(page, '?embed=1&scenario=default&theme=dark');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await openMore(page);
    await page.click('#embed');
    assert.doesNotMatch(await page.locator('#embed-snippet').inputValue(), /theme=/, 'auto by default');
    await page.selectOption('#embed-theme', 'light');
    assert.match(await page.locator('#embed-snippet').inputValue(), /&amp;theme=light"/);
    browser.assertNoErrors('with theme parameters');
  });
});
