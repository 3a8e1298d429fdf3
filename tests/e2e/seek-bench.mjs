// In-browser seek figure for `scripts/bench.sh seek` (not a test): opens the release build with
// the bench's 30-minute session as a share link (?s=), then drags the timeline to random moments
// and times each seek in the page (performance.now() around the slider's input event, which runs
// the seek synchronously: Model::seek rebuilds from the nearest checkpoint). Best of 3 per target.
// Usage: BASE_URL=http://127.0.0.1:PORT/ node tests/e2e/seek-bench.mjs TRACE_FILE
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browser.mjs';

const trace = (await readFile(process.argv[2], 'utf8')).trim();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
const t0 = Date.now();
await page.goto(new URL(`?s=${trace}&autoplay=0`, BASE_URL).href);
await page.locator('input#timeline').waitFor({ state: 'attached', timeout: 120_000 });
console.log(`  opened the 30-minute session (replayed, checkpoints taken) in ${((Date.now() - t0) / 1000).toFixed(1)} s wall`);
const times = await page.evaluate(() => {
  const slider = document.querySelector('input#timeline');
  const max = Number(slider.max);
  let x = 12345;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * max; // seeded
  const seekTo = (v) => {
    slider.value = String(Math.floor(v));
    const s = performance.now();
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    return performance.now() - s;
  };
  const out = [];
  for (let i = 0; i < 200; i++) {
    const target = rand();
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      seekTo(rand());
      best = Math.min(best, seekTo(target));
    }
    out.push(best);
  }
  return out;
});
times.sort((a, b) => a - b);
const at = (q) => times[Math.round((times.length - 1) * q)].toFixed(2);
const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2);
console.log(`  browser seek n=${times.length}  min ${at(0)} ms  median ${at(0.5)} ms  mean ${mean} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms  max ${at(1)} ms`);
console.log(`  worst case ${at(1)} ms: ${times[times.length - 1] <= 16 ? 'within one frame' : 'OVER the one-frame budget'}`);
await browser.close();
