// Safety: the page runs under a strict Content-Security-Policy (no inline script or style, no
// eval; 'wasm-unsafe-eval' only) with no violation while it runs; keys, values and URL text are
// shown as text, never markup; a wasm panic, and a wasm trap that no Rust code sees, show the panic
// panel with the trace and a Reset.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, openTab, openMore } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;
const XSS = '<img src=x onerror=alert(1)>';

describe(`kafkascope safety (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;
  const dialogs = [];

  before(async () => {
    browser = await launch();
    page = browser.page;
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    // Runs before the page's own scripts (DevTools protocol, not subject to the page's CSP).
    await page.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('the CSP is strict and nothing violates it while the app runs', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /style-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script in the page');
    // Use the app: speed up, kill and restart a broker, produce, step, go back, open the dialogs.
    await page.evaluate(() => {
      const s = document.querySelector('#speed');
      s.value = '80';
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator('g.broker[data-broker="1"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'broker 1 dead', () => document.querySelector('g.broker[data-broker="1"]')?.dataset.state === 'dead');
    await openTab(page, 'console');
    await page.fill('#produce-key', 'alice');
    await page.fill('#produce-value', 'hello');
    await page.click('#produce-send');
    await page.click('#step');
    await page.click('#back');
    await openMore(page);
    await page.click('#embed');
    await page.keyboard.press('Escape');
    await openMore(page);
    await page.click('#share');
    await page.locator('g.broker[data-broker="1"]').click();
    await page.locator('.action-menu button[data-action="restart"]').click();
    await openTab(page, 'console');
    await waitFor(page, 'a few more frames', () => document.querySelectorAll('.console-log .in').length >= 3);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
    browser.assertNoErrors('while the app runs under its CSP');
  });

  it('the CSP is in force: an injected inline script is refused', { timeout: STEP_TIMEOUT }, async () => {
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.append(s);
    });
    await waitFor(page, 'a violation report', () => window.__csp.length > 0);
    assert.equal(await page.evaluate(() => window.__ran), undefined, 'the inline script did not run');
    assert.match((await page.evaluate(() => window.__csp))[0], /script-src/);
    browser.errors.length = 0; // the refusal is logged as an error: expected here
  });

  it('a record value that looks like markup is shown as text', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?scenario=default');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await openTab(page, 'console');
    await page.fill('#produce-key', XSS);
    await page.fill('#produce-value', XSS);
    await page.click('#produce-send');
    // The key/value inputs are capped at 40 and 60 characters; the payload fits in both.
    // Drive virtual time so the record is replicated and below the high watermark, then read it.
    const input = page.locator('#console-input');
    for (const line of ['advance 2s', 'kafka-console-consumer --topic orders --from-beginning --property print.key=true']) {
      await input.fill(line);
      await input.press('Enter');
    }
    await waitFor(page, 'the record in the console consumer output',
      (x) => [...document.querySelectorAll('.console-log .out')].some((o) => o.textContent === `${x}\t${x}`), XSS);
    await waitFor(page, 'the record in a log slot (its tooltip holds the literal key and value)',
      (x) => [...document.querySelectorAll('g.slot title')].some((t) => t.textContent.includes(`key ${x}, value ${x}`)), XSS);
    assert.equal(await page.locator('img').count(), 0, 'no element was made from it');
    assert.deepEqual(dialogs, [], 'no script ran');
    // URL text too: an unknown scenario name with markup is quoted as text.
    await openApp(page, `?scenario=${encodeURIComponent(XSS)}`);
    await page.locator('.notices').waitFor({ state: 'attached' });
    assert.match(await page.locator('.notices').textContent(), /no scenario called "<img src=x onerror=alert\(1\)>"/);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    browser.assertNoErrors('with markup in values and URLs');
  });

  it('a panic shows the panel with the seed, the command log and a Reset', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?debug=panic');
    await page.locator('#panic-panel').waitFor({ state: 'attached' });
    const text = await page.locator('#panic-panel').textContent();
    assert.match(text, /internal error/);
    assert.match(text, /deliberate panic requested by \?debug=panic/);
    assert.match(text, /Seed 42 · 3 broker\(s\) · \d+ command\(s\)/);
    const trace = JSON.parse(await page.locator('#panic-trace').inputValue());
    assert.equal(trace.seed, 42);
    assert.ok(trace.commands.length >= 5, 'the default scenario\'s commands');
    assert.match(await page.locator('#panic-link').inputValue(), /\?s=[A-Za-z0-9_-]+$/);
    assert.ok(browser.errors.some((e) => /deliberate panic/.test(e)), 'the panic is also logged');
    browser.errors.length = 0;
    await page.click('#panic-reset');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('#panic-panel').count(), 0, 'a fresh session after Reset');
    assert.doesNotMatch(page.url(), /reset=1/, 'the reset parameter is dropped from the address');
    browser.assertNoErrors('after Reset');
  });

  it('a wasm trap (no Rust panic runs) still shows the panel, built without the instance', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?debug=trap');
    await page.locator('#panic-panel').waitFor({ state: 'attached' });
    const text = await page.locator('#panic-panel').textContent();
    assert.match(text, /internal error/);
    assert.match(text, /unreachable/, 'the trap itself is the message');
    assert.doesNotMatch(text, /panicked/, 'no Rust code ran: the panel comes from assets/panic.js');
    assert.match(text, /Seed 42 · 3 broker\(s\) · \d+ command\(s\)/);
    const trace = JSON.parse(await page.locator('#panic-trace').inputValue());
    assert.equal(trace.seed, 42);
    assert.ok(trace.commands.length >= 5, 'the default scenario\'s commands');
    assert.match(await page.locator('#panic-link').inputValue(), /\?s=[A-Za-z0-9_-]+$/);
    assert.ok(browser.errors.some((e) => /unreachable/.test(e)), 'the trap is reported as the uncaught error it is');
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'the panel script runs under the CSP');
    browser.errors.length = 0;
    await page.click('#panic-reset');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('#panic-panel').count(), 0, 'a fresh session after Reset');
    browser.assertNoErrors('after Reset');
  });
});
