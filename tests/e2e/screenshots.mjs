// Takes screenshots of the served app for humans (README, reviews): light, dark and phone layouts.
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
for (const s of shots) {
  const page = await browser.newPage({ viewport: s.viewport, colorScheme: s.colorScheme, isMobile: s.isMobile });
  page.on('pageerror', (e) => console.error(`[${s.name}] pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[${s.name}] console: ${m.text()}`));
  await page.goto(BASE_URL);
  await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
  // Let virtual time run a little (fast) so records and messages are on screen, then pause.
  await page.evaluate(() => {
    const s = document.querySelector('#speed');
    s.value = '75';
    s.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => /t = 00:0[4-9]/.test(document.querySelector('#clock')?.textContent || ''), null, { timeout: 60_000 });
  await page.click('#play');
  const file = path.join(out, `${s.name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(file);
  await page.close();
}
await browser.close();
