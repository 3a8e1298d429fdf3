// Persistence: the session survives a reload (localStorage); stored state that is corrupt or from
// another version is ignored with a visible notice and a fresh session; a share link or embed
// parameters take precedence over what is stored.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, consoleText } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;
const KEY = 'kafkascope.session';
const stored = () => localStorage.getItem('kafkascope.session');

describe(`kafkascope persistence (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('act, reload: the same session at the same moment', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    await page.locator('svg#cluster g.broker[data-broker="2"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'broker 2 dead', () => document.querySelector('g.broker[data-broker="2"]')?.dataset.state === 'dead');
    await page.click('#play'); // pause, so the moment on screen stays put
    const clock = await page.locator('#clock').textContent();
    // Saved about once a second: wait for a save that includes the pause (a stable moment).
    await waitFor(page, 'the paused session to be saved', (c) => {
      const s = localStorage.getItem('kafkascope.session');
      if (!s) return false;
      const t = JSON.parse(s).t;
      const shown = document.querySelector('#clock').textContent.match(/(\d+):(\d+)\.(\d+)/);
      return shown && t === (Number(shown[1]) * 60 + Number(shown[2])) * 1000 + Number(shown[3]);
    }, clock);
    await page.reload();
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('g.broker[data-broker="2"]', 'data-state'), 'dead', 'broker 2 is still dead');
    assert.equal(await page.locator('#clock').textContent(), clock, 'at the same virtual time');
    assert.match(await consoleText(page), /Restored your session/);
    browser.assertNoErrors('after a reload');
  });

  it('a share link takes precedence over the stored session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?scenario=default');
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('g.broker[data-broker="2"]', 'data-state'), 'alive', 'the preset, not the stored session');
    assert.equal(/Restored/.test(await consoleText(page)), false);
  });

  it('corrupt stored state: a notice and a fresh session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await page.evaluate((k) => localStorage.setItem(k, '{"v":4,"s":"this-is-not-a-session","t":5000}'), KEY);
    await page.reload();
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await page.locator('.notices').textContent(), /could not be read.*ignored and a fresh session started/);
    assert.deepEqual(
      await page.locator('svg#cluster g.broker').evaluateAll((els) => els.map((e) => e.dataset.state)),
      ['alive', 'alive', 'alive'],
      'a fresh session',
    );
    assert.notEqual(await page.evaluate(stored), '{"v":4,"s":"this-is-not-a-session","t":5000}', 'the bad entry is gone');

    await page.evaluate((k) => localStorage.setItem(k, 'garbage{'), KEY);
    await page.reload();
    await page.locator('.notices').waitFor({ state: 'attached' });
    assert.match(await page.locator('.notices').textContent(), /damaged/);

    await page.evaluate((k) => localStorage.setItem(k, '{"v":0,"s":"","t":0}'), KEY);
    await page.reload();
    await page.locator('.notices').waitFor({ state: 'attached' });
    assert.match(await page.locator('.notices').textContent(), /earlier version of kafkascope/);
    await page.click('#notice-close');
    assert.equal(await page.locator('.notices').count(), 0, 'the notice can be dismissed');
    browser.assertNoErrors('with bad stored state');
  });
});
