// Counts the DOM changes the app makes per animation frame, by kind and place (not a test).
//   BASE_URL=... node tests/e2e/mutations-frames.mjs NAME [SHARE] [SECONDS]
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browser.mjs';
const [name = 'default', share = '', secondsArg = '5'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(share ? `${BASE_URL}?s=${share}` : BASE_URL);
await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached', timeout: 60_000 });
if ((await page.getAttribute('#play', 'aria-pressed')) !== 'true') await page.click('#play');
await page.waitForTimeout(2000);
await page.evaluate(() => {
  const where = (n) => {
    const parts = [];
    for (let x = n.nodeType === 1 ? n : n.parentElement; x && parts.length < 4; x = x.parentElement) {
      if (x.id) { parts.push('#' + x.id); break; }
      const c = x.getAttribute('class');
      parts.push(x.localName + (c ? '.' + c.split(' ')[0] : ''));
    }
    return parts.reverse().join('>');
  };
  window.__muts = new Map();
  window.__frames = 0;
  const count = (k) => window.__muts.set(k, (window.__muts.get(k) || 0) + 1);
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.type === 'attributes') count(`attr ${m.attributeName} @ ${where(m.target)}`);
      else if (m.type === 'characterData') count(`text @ ${where(m.target)}`);
      else { if (m.addedNodes.length) count(`add(${m.addedNodes.length}) @ ${where(m.target)}`); if (m.removedNodes.length) count(`remove(${m.removedNodes.length}) @ ${where(m.target)}`); }
    }
  }).observe(document.documentElement, { subtree: true, attributes: true, characterData: true, childList: true });
  const tick = () => { window.__frames++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
});
await page.waitForTimeout(Number(secondsArg) * 1000);
const [frames, muts] = await page.evaluate(() => [window.__frames, [...window.__muts.entries()]]);
await browser.close();
muts.sort((a, b) => b[1] - a[1]);
const total = muts.reduce((a, [, v]) => a + v, 0);
console.log(`${name}: ${frames} frames, ${(total / frames).toFixed(1)} mutation records per frame`);
for (const [k, v] of muts.slice(0, 40)) console.log(`  ${(v / frames).toFixed(2).padStart(7)}  ${k}`);
