// Animated export (More → GIF…): a range of a preset recorded at exact virtual times as a GIF,
// decoded here (size, frame count, total duration), the same bytes when recorded twice, the
// session left where it was; the same range as a self-playing SVG that loads as an image; Cancel
// stops a recording; a range beyond what has happened is refused.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, openMore, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 180_000;

/** The logical screen size, the number of image blocks and the summed delays (1/100 s) of a GIF. */
function readGif(buf) {
  assert.equal(buf.subarray(0, 6).toString('latin1'), 'GIF89a', 'a GIF89a file');
  const width = buf.readUInt16LE(6);
  const height = buf.readUInt16LE(8);
  let p = 13;
  if (buf[10] & 0x80) p += 3 * (1 << ((buf[10] & 7) + 1));
  let frames = 0;
  let delay = 0;
  const skipSubBlocks = () => {
    while (buf[p] !== 0) p += buf[p] + 1;
    p += 1;
  };
  while (p < buf.length) {
    const b = buf[p++];
    if (b === 0x3b) return { width, height, frames, delay, complete: true };
    if (b === 0x21) {
      const label = buf[p++];
      if (label === 0xf9) delay += buf.readUInt16LE(p + 2);
      skipSubBlocks();
    } else if (b === 0x2c) {
      frames += 1;
      const fw = buf.readUInt16LE(p + 4);
      const fh = buf.readUInt16LE(p + 6);
      assert.ok(buf.readUInt16LE(p) + fw <= width && buf.readUInt16LE(p + 2) + fh <= height, 'a frame inside the image');
      const flags = buf[p + 8];
      p += 9;
      if (flags & 0x80) p += 3 * (1 << ((flags & 7) + 1));
      p += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      throw new Error(`unexpected GIF block 0x${b.toString(16)} at ${p - 1}`);
    }
  }
  return { width, height, frames, delay, complete: false };
}

async function makeGif(page, { from, to, speed, width, fps }, button = '#gif-make') {
  await openMore(page);
  await page.locator('#export-gif').click();
  await page.fill('#gif-from', String(from));
  await page.fill('#gif-to', String(to));
  await page.fill('#gif-speed', String(speed));
  await page.fill('#gif-width', String(width));
  await page.fill('#gif-fps', String(fps));
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 150_000 }), page.locator(button).click()]);
  const data = await readFile(await d.path());
  await waitFor(page, 'the saved status', () => /Saved kafkascope/.test(document.querySelector('#gif-status')?.textContent ?? ''));
  const status = await page.locator('#gif-status').textContent();
  await page.locator('#gif-close').click();
  return { name: d.suggestedFilename(), data, status };
}

describe(`kafkascope animated GIF export (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('a preset range becomes a GIF with one frame per step, the same bytes twice', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?scenario=leader-failover&t=8s&autoplay=0');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await page.locator('#clock').textContent(), /00:08\.000/);
    // 2 s to 6 s at 2x and 10 frames a second: a frame every 200 virtual ms, 21 frames, 2.1 s.
    const opts = { from: 2, to: 6, speed: 2, width: 480, fps: 10 };
    const a = await makeGif(page, opts);
    assert.equal(a.name, 'kafkascope.gif');
    assert.match(a.status, /21 frames/);
    const g = readGif(a.data);
    assert.ok(g.complete, 'the file ends with the GIF trailer');
    assert.equal(g.width, 480);
    assert.ok(g.height > 100 && g.height < 480, `height ${g.height}`);
    // Unchanged frames are merged into the one before (its delay grows): the duration stays.
    assert.ok(g.frames >= 3 && g.frames <= 21, `${g.frames} image blocks`);
    assert.equal(g.delay, 210, 'total duration 2.1 s');
    assert.ok(a.data.length < 1_500_000, `${a.data.length} bytes`);
    // The session is back where it was, paused.
    assert.match(await page.locator('#clock').textContent(), /00:08\.000/);
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    const b = await makeGif(page, opts);
    assert.ok(a.data.equals(b.data), 'recorded twice, the same bytes');
    browser.assertNoErrors('after two GIF exports');
  });

  it('the same range as a self-playing SVG: well-formed, an image, the same bytes twice', { timeout: STEP_TIMEOUT }, async () => {
    const opts = { from: 2, to: 6, speed: 2, width: 480, fps: 5 }; // a frame every 400 ms: 11
    const a = await makeGif(page, opts, '#gif-make-svg');
    assert.equal(a.name, 'kafkascope-animated.svg');
    assert.match(a.status, /11 frames/);
    const text = a.data.toString('utf8');
    assert.match(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* width="480"/);
    assert.match(text, /@keyframes ksa0 \{ 0\.0000% \{ visibility: (visible|hidden); \}/, 'parts shown frame by frame');
    assert.ok(text.length < 1_000_000, `${text.length} bytes`);
    // It loads as an image at its size (an SVG image that is not well-formed XML does not decode).
    const seen = await page.evaluate(async (svg) => {
      const img = new Image();
      img.src = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      return img.decode().then(() => ({ w: img.naturalWidth }), (e) => ({ error: String(e) }));
    }, text);
    assert.deepEqual(seen, { w: 480 });
    const b = await makeGif(page, opts, '#gif-make-svg');
    assert.ok(a.data.equals(b.data), 'recorded twice, the same bytes');
    assert.match(await page.locator('#clock').textContent(), /00:08\.000/);
    browser.assertNoErrors('after two SVG exports');
  });

  it('Cancel stops a recording; a range past the present is refused', { timeout: STEP_TIMEOUT }, async () => {
    await openMore(page);
    await page.locator('#export-gif').click();
    await page.fill('#gif-from', '0');
    await page.fill('#gif-to', '999');
    await page.locator('#gif-make').click();
    assert.match(await page.locator('#gif-status').textContent(), /Not recorded: the end is after what has happened so far/);
    await page.fill('#gif-to', '8');
    await page.fill('#gif-speed', '0.25');
    await page.fill('#gif-fps', '10');
    let downloaded = false;
    page.on('download', () => { downloaded = true; });
    await page.locator('#gif-make').click();
    await page.locator('#gif-progress').waitFor();
    await waitFor(page, 'a few frames recorded', () => Number(document.querySelector('#gif-progress')?.value ?? 0) >= 3);
    await page.locator('#gif-cancel').click();
    await waitFor(page, 'the cancelled status', () => document.querySelector('#gif-status')?.textContent === 'Cancelled.');
    assert.equal(downloaded, false, 'no file');
    assert.match(await page.locator('#clock').textContent(), /00:08\.000/, 'the session is back where it was');
    browser.assertNoErrors('after a cancelled export');
  });
});
