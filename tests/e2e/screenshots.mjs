// Screenshots of the served app for humans (README, reviews): light, dark and phone layouts, each
// taken after killing the broker that leads orders-0 and letting the controller fail over.
// Not a test. Usage: BASE_URL=http://127.0.0.1:8080/ node tests/e2e/screenshots.mjs [OUT_DIR]
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH, ARTIFACTS_DIR } from './lib/browser.mjs';

const out = process.argv[2] || ARTIFACTS_DIR;
await mkdir(out, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const shots = [
  { name: 'light', viewport: { width: 1440, height: 900 }, colorScheme: 'light' },
  { name: 'dark', viewport: { width: 1440, height: 900 }, colorScheme: 'dark' },
  { name: 'phone', viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true },
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
  await page.waitForFunction((c) => /t = 00:0[6-9]/.test(c()), clock, { timeout: 60_000 }).catch(() => {});
  const leader = await page.getAttribute('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
  await page.evaluate((b) => {
    const el = document.querySelector(`g.broker[data-broker="${b}"]`);
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  }, leader);
  await page.locator('.action-menu button[data-action="kill"]').click();
  await page.waitForFunction(
    (b) => document.querySelector('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]')?.dataset.broker !== b,
    leader,
    { timeout: 60_000 },
  );
  await page.evaluate(setSpeed, 45);
  await page.waitForTimeout(1500); // wall time only to let a few messages be in flight for the picture
  await page.click('#play');
  const file = path.join(out, `${s.name}.png`);
  await page.screenshot({ path: file, fullPage: s.name === 'phone' });
  console.log(file);
  await page.close();
}
await browser.close();
