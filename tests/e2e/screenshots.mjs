// Screenshots of the served app for humans (README, reviews) at the four sizes the picture is
// checked at: 1280×720 (dark), 1440×900 (light, the drawer open on its tours), 1920×1080 (light) and
// 390×844 (a phone), each a few seconds after the broker that leads orders-0 was killed and the
// controller failed it over. Not a test.
//   BASE_URL=http://127.0.0.1:8080/ node tests/e2e/screenshots.mjs [OUT_DIR]
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH, ARTIFACTS_DIR } from './lib/browser.mjs';
import { measure } from './lib/legibility.mjs';

const out = process.argv[2] || ARTIFACTS_DIR;
await mkdir(out, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const shots = [
  { name: '1280x720-dark', viewport: { width: 1280, height: 720 }, colorScheme: 'dark' },
  { name: '1440x900-light', viewport: { width: 1440, height: 900 }, colorScheme: 'light' },
  { name: '1920x1080-light', viewport: { width: 1920, height: 1080 }, colorScheme: 'light' },
  { name: '390x844-phone', viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true },
];
const setSpeed = (v) => {
  const s = document.querySelector('#speed');
  s.value = String(v);
  s.dispatchEvent(new Event('input', { bubbles: true }));
};
const clock = () => document.querySelector('#clock')?.textContent || '';
for (const s of shots) {
  const page = await browser.newPage({ viewport: s.viewport, colorScheme: s.colorScheme, isMobile: s.isMobile });
  page.on('pageerror', (e) => console.error(`[${s.name}] pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[${s.name}] console: ${m.text()}`));
  await page.goto(BASE_URL);
  await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
  await page.evaluate(setSpeed, 85);
  await page.waitForFunction(() => /t = 00:0[6-9]/.test(document.querySelector('#clock')?.textContent || ''), null, { timeout: 60_000 }).catch(() => {});
  const leader = await page.getAttribute('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
  await page.locator(`svg#cluster g.broker[data-broker="${leader}"]`).click();
  await page.locator('.action-menu button[data-action="kill"]').click();
  await page.waitForFunction(
    (b) => document.querySelector('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]')?.dataset.broker !== b,
    leader,
    { timeout: 60_000 },
  );
  await page.evaluate(setSpeed, 45);
  await page.waitForTimeout(1500); // wall time only, to let a few messages be in flight for the picture
  if ((await page.getAttribute('#play', 'aria-pressed')) === 'true') await page.click('#play');
  const m = await measure(page);
  const file = path.join(out, `${s.name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`${file}: smallest text ${m.smallest}px, picture ${m.share}% of the screen (frame ${m.frameShare}%), ${m.overlaps.length} overlaps, ${m.clipped.length} clipped, ${m.covered.length} covered by messages${m.covered.length ? ': ' + m.covered.join('; ') : ''}`);
  await page.close();
}
await browser.close();
