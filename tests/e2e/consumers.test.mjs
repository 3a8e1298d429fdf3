// Consumer groups end to end: the default scenario's group `billing` settles with two members;
// killing one from its menu moves its partitions to the other after session.timeout.ms; producing a
// record from the form is acknowledged in the ledger counters. No console errors throughout.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, openTab, consoleText, narrationText } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;

function consumers() {
  return [...document.querySelectorAll('svg#cluster g.consumer')].map((el) => ({ ...el.dataset }));
}

describe(`kafkascope consumer groups (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
    await openApp(page);
    await page.locator('svg#cluster g.consumer').first().waitFor({ state: 'attached' });
    await page.locator('input#speed').evaluate((el) => {
      el.value = el.max;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });

  after(async () => {
    if (browser) {
      await browser.screenshot('consumers');
      await browser.close();
    }
  });

  it('the group settles with every partition owned', { timeout: STEP_TIMEOUT }, async () => {
    await waitFor(
      page,
      'both consumers to own partitions',
      () => {
        const cs = [...document.querySelectorAll('svg#cluster g.consumer')];
        const owned = cs.flatMap((c) => (c.dataset.partitions ? c.dataset.partitions.split(',') : []));
        return cs.length === 2 && cs.every((c) => c.dataset.state === 'consuming') && new Set(owned).size === 3;
      },
      null,
      { state: consumers },
    );
    browser.assertNoErrors('after the group settled');
  });

  it('killing a consumer moves its partitions to the survivor after the session timeout', { timeout: STEP_TIMEOUT }, async () => {
    await page.locator('svg#cluster g.consumer[data-consumer="c1"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'c1 to be drawn as crashed', () => document.querySelector('g.consumer[data-consumer="c1"]')?.dataset.state === 'crashed', null, {
      state: consumers,
    });
    const log = await consoleText(page);
    assert.match(log, /> consumer kill c1/, 'the click shows as its command');
    await waitFor(
      page,
      'c2 to own all three partitions',
      () => (document.querySelector('g.consumer[data-consumer="c2"]')?.dataset.partitions || '').split(',').filter(Boolean).length === 3,
      null,
      { state: consumers },
    );
    const narration = await narrationText(page);
    assert.match(narration, /session\.timeout\.ms/, 'the narration says why the member was removed');
    browser.assertNoErrors('after the rebalance');
  });

  it('a record produced from the form is acknowledged', { timeout: STEP_TIMEOUT }, async () => {
    await openTab(page, 'ledger');
    const before = Number(await page.locator('#count-acked').textContent());
    await openTab(page, 'console');
    await page.locator('#produce-key').fill('alice');
    await page.locator('#produce-value').fill('<b>not markup</b>');
    await page.locator('#produce-send').click();
    await openTab(page, 'ledger');
    await waitFor(page, 'the acked counter to grow', (n) => Number(document.querySelector('#count-acked')?.textContent) > n, before);
    assert.equal(await page.locator('svg#cluster b').count(), 0, 'values are never rendered as markup');
    browser.assertNoErrors('after producing');
  });
});
