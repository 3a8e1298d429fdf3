// Frame-time bench (not a test): opens the served release build in headless Chromium, plays it for
// a fixed wall-clock time and prints p50 / p95 / max of the main-thread work per animation frame.
//
//   BASE_URL=http://127.0.0.1:8080/ node tests/e2e/bench-frames.mjs NAME [SHARE_TEXT] [SECONDS]
//
// NAME labels the output; SHARE_TEXT (a share link's ?s= text, from `kafkascope share FILE`) opens
// that session instead of the default scenario. Env: SPEED=0..100 sets the speed slider (the page
// opens at 0.5x; 60.6 is 1x), EXTRA_CSS adds a style sheet. scripts/bench.sh frames runs the default
// picture, the big one, and the big one at 1x.
//
// What is measured. An init script wraps window.requestAnimationFrame before the app starts, so
// every rAF callback the app registers runs inside a wrapper. For each frame (one rAF timestamp) the
// wrapper notes performance.now() when the first callback starts, then:
//   script  = until a microtask queued after the app's callback runs: the model tick plus Yew's
//             render and its DOM changes (Yew renders in a microtask right after the callback);
//   frame   = until a MessageChannel message posted in that frame is delivered: the next task after
//             the browser's rendering steps, so it adds style recalculation, layout and paint.
// `frame` is the figure the targets apply to (p95 <= 8 ms default, <= 16 ms big): it is the main
// thread's whole cost of one animation frame, not the 16.7 ms vsync interval.
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browser.mjs';

const [name = 'default', share = '', secondsArg = '20'] = process.argv.slice(2);
const seconds = Number(secondsArg);

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: !!process.env.EXTRA_CSS });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await page.addInitScript(() => {
  const samples = { script: [], frame: [] };
  window.__frameSamples = samples;
  window.__frameRecording = false;
  const orig = window.requestAnimationFrame.bind(window);
  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => {
    if (window.__frameRecording) samples.frame.push(performance.now() - e.data);
  };
  let current = null;
  window.requestAnimationFrame = (cb) =>
    orig((ts) => {
      if (current !== ts) {
        current = ts;
        const t0 = performance.now();
        channel.port2.postMessage(t0);
        cb(ts);
        queueMicrotask(() => {
          if (window.__frameRecording) samples.script.push(performance.now() - t0);
        });
      } else {
        cb(ts);
      }
    });
});
await page.goto(share ? `${BASE_URL}?s=${share}` : BASE_URL);
await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached', timeout: 60_000 });
if ((await page.getAttribute('#play', 'aria-pressed')) !== 'true') await page.click('#play');
// SPEED (the speed slider's value, 0..100) plays faster or slower than the page's default speed.
if (process.env.SPEED) {
  await page.evaluate((v) => {
    const el = document.querySelector('#speed');
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, process.env.SPEED);
}
// EXTRA_CSS adds a style sheet after load (to weigh a CSS change without a rebuild).
if (process.env.EXTRA_CSS) await page.addStyleTag({ content: process.env.EXTRA_CSS });
await page.waitForTimeout(2000); // warm-up, not recorded
const nodes = await page.evaluate(() => document.querySelectorAll('svg#cluster *').length);
await page.evaluate(() => (window.__frameRecording = true));
await page.waitForTimeout(seconds * 1000); // the bench's measuring window is wall-clock time by design
const s = await page.evaluate(() => {
  window.__frameRecording = false;
  return window.__frameSamples;
});
const endNodes = await page.evaluate(() => document.querySelectorAll('svg#cluster *').length);
const clock = await page.locator('#clock').textContent();
await browser.close();

const pct = (xs, p) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length ? a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] : NaN;
};
const fmt = (xs) =>
  `p50 ${pct(xs, 50).toFixed(2)} ms  p95 ${pct(xs, 95).toFixed(2)} ms  max ${Math.max(...xs).toFixed(2)} ms  (${xs.length} frames)`;
console.log(`${name}: ${seconds} s, SVG nodes ${nodes} → ${endNodes}, ${clock}`);
console.log(`  frame  (tick + render + style/layout/paint): ${fmt(s.frame)}`);
console.log(`  script (tick + Yew render):                 ${fmt(s.script)}`);
if (errors.length) {
  console.error(`page errors:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
