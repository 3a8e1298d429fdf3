// Share links: a link reproduces the session (a killed broker is still dead when the link is
// opened); a tampered link shows a clear message and a fresh session, never a blank page.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, openMore, consoleText } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;

describe(`kafkascope share links (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('a share link reproduces the session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    await page.locator('svg#cluster g.broker[data-broker="2"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'broker 2 dead', () => document.querySelector('g.broker[data-broker="2"]')?.dataset.state === 'dead');
    await openMore(page);
    await page.locator('#share').click();
    const link = await page.locator('#share-link').inputValue();
    assert.match(link, /\?s=[A-Za-z0-9_-]+$/, 'a URL-safe link');
    await page.goto(link);
    await page.locator('svg#cluster g.broker[data-broker="2"]').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('g.broker[data-broker="2"]', 'data-state'), 'dead', 'the replayed session has broker 2 dead');
    assert.match(await consoleText(page), /Replayed \d+ command/);
    browser.assertNoErrors('after opening the link');
  });

  it('a tampered link gives a message and a fresh session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, '?s=ThisIsNotAValidLink');
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('svg#cluster g.broker').count(), 3, 'the page still works');
    assert.match(await consoleText(page), /could not be read/);
    browser.assertNoErrors('after a bad link');
  });
});
