// Memory bench (not a test): opens the served release build in headless Chromium, plays a session
// at top speed and prints the size of the wasm heap (the instance's linear memory, which never
// shrinks: it is the page's high-water mark) when virtual time passes 2, 10, 30 and 60 minutes.
//
//   BASE_URL=http://127.0.0.1:8080/ node tests/e2e/bench-memory.mjs NAME [SHARE_TEXT]
//
// NAME labels the output; SHARE_TEXT (a share link's ?s= text, from `kafkascope share FILE`) opens
// that session instead of the default scenario. scripts/bench.sh memory runs the default scenario
// and crates/bench/scenarios/busy.ks. The heap is read from the wasm exports Trunk's loader hands
// to its `TrunkApplicationStarted` event; virtual time from the timeline slider.
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH, fullSpeed } from './lib/browser.mjs';

const [name = 'default', share = ''] = process.argv.slice(2);
const MARKS_MIN = [2, 10, 30, 60];
const WALL_LIMIT_MS = Number(process.env.MEMORY_WALL_LIMIT_S || 900) * 1000;

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('crash', () => errors.push('page crashed'));
await page.addInitScript(() => {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__wasmMemory = e.detail.wasm.memory;
  });
});
const query = share ? `?s=${share}&autoplay=1` : '?reset=1';
await page.goto(new URL(query, BASE_URL).href);
await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached', timeout: 120_000 });
await fullSpeed(page);

const mb = (bytes) => `${(bytes / (1 << 20)).toFixed(0)} MB`;
const sample = () =>
  page.evaluate(() => ({
    ms: Number(document.querySelector('input#timeline')?.value ?? 0),
    heap: window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : 0,
  }));
const start = await sample();
console.log(`${name}: wasm heap ${mb(start.heap)} at virtual ${(start.ms / 1000).toFixed(0)} s (page opened)`);
const t0 = Date.now();
const row = [];
let next = 0;
while (next < MARKS_MIN.length) {
  await page.waitForTimeout(250);
  const s = await sample().catch(() => null);
  if (errors.length > 0 || s === null) {
    const at = s ? `virtual ${(s.ms / 60_000).toFixed(1)} min` : 'the end';
    console.log(`  the page died at ${at}: ${errors.join('; ') || 'no answer'}`);
    break;
  }
  while (next < MARKS_MIN.length && s.ms >= MARKS_MIN[next] * 60_000) {
    row.push(`${MARKS_MIN[next]} min ${mb(s.heap)}`);
    console.log(`  minute ${String(MARKS_MIN[next]).padStart(2)}: wasm heap ${mb(s.heap)} (${((Date.now() - t0) / 1000).toFixed(0)} s wall)`);
    next += 1;
  }
  if (Date.now() - t0 > WALL_LIMIT_MS) {
    console.log(`  gave up after ${WALL_LIMIT_MS / 1000} s wall at virtual ${(s.ms / 60_000).toFixed(1)} min (heap ${mb(s.heap)})`);
    break;
  }
}
console.log(`  ${name}: ${row.join(', ')}`);
await browser.close();
