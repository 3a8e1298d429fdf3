// Startup bench (not a test): opens the served release build in headless Chromium RUNS times (a new
// page each time, cache disabled, so every load fetches and compiles the wasm) and prints the time
// from navigation start to the first picture: the first animation frame after the cluster SVG has
// its brokers. Median and max over the runs.
//
//   BASE_URL=http://127.0.0.1:8080/ node tests/e2e/bench-startup.mjs [RUNS]
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browser.mjs';

const runs = Number(process.argv[2] || 5);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const times = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.addInitScript(() => {
    const check = () => {
      if (document.querySelector('svg#cluster g.broker')) {
        requestAnimationFrame(() => (window.__firstPicture = performance.now()));
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
  await page.goto(new URL('?reset=1', BASE_URL).href);
  await page.waitForFunction(() => window.__firstPicture !== undefined, null, { timeout: 60_000 });
  times.push(await page.evaluate(() => window.__firstPicture));
  await context.close();
}
await browser.close();
const sorted = [...times].sort((a, b) => a - b);
console.log(`first picture after navigation start (${runs} cold loads): median ${sorted[Math.floor(runs / 2)].toFixed(0)} ms, max ${sorted[runs - 1].toFixed(0)} ms  [${times.map((t) => t.toFixed(0)).join(', ')}]`);
