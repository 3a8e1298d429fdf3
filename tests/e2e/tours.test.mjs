// Guided tours in the browser: open a tour, predict, see the model's answer (checked against what
// the picture itself shows), do the learner's action, and reach the "say it in the interview"
// summary. Waits are on DOM conditions only.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor, openTab, consoleText } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;

describe(`kafkascope tours (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('lists eight tours, one per interview point', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start').first().waitFor();
    assert.equal(await page.locator('button.tour-start').count(), 8);
    browser.assertNoErrors('on load');
  });

  it('the broker-failure tour: predict, reveal from the model, act, summary', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start[data-tour="6"]').click();
    await page.locator('#tour .choice').first().waitFor();
    assert.match(await page.locator('#tour-h').textContent(), /Broker failure/);
    // The tour started a fresh cluster, echoed in the console.
    assert.match(await consoleText(page), /kafka-topics --create --topic orders/);
    await openTab(page, 'tours');

    // Step 1: which broker leads orders-0? Pick an answer; the reveal is the model's value, and it
    // is the leader the picture draws.
    await page.locator('#tour .choice', { hasText: /^1$/ }).click();
    await page.locator('#tour-value').waitFor();
    const revealed = (await page.locator('#tour-value').textContent()).trim();
    const drawn = await page.getAttribute('svg#cluster g[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
    assert.equal(revealed, drawn, 'the reveal is what the model shows');
    assert.equal(await page.locator('#tour .choice.correct').count(), 1, 'the choice equal to the model value is marked');
    assert.equal((await page.locator('#tour .choice.correct').textContent()).trim(), revealed);

    // Step 2: predict, then the learner kills the leader with the action button.
    await page.locator('#tour-next').click();
    await page.locator('#tour .choice:not([disabled])').first().waitFor();
    await page.locator('#tour .choice').first().focus();
    await page.keyboard.press('Enter'); // choices work from the keyboard
    await page.locator('#tour-act').waitFor();
    assert.match(await page.locator('#tour-act').textContent(), new RegExp(`broker kill ${revealed}`));
    await page.locator('#tour-act').click();
    await page.locator('#tour-value').waitFor();
    await waitFor(page, `broker ${revealed} drawn dead`, (b) => document.querySelector(`g.broker[data-broker="${b}"]`)?.dataset.state === 'dead', revealed);

    // The failover step: the new leader revealed is the one drawn.
    await page.locator('#tour-next').click();
    await page.locator('#tour .choice:not([disabled])').first().click();
    await page.locator('#tour-value').waitFor();
    const newLeader = (await page.locator('#tour-value').textContent()).trim();
    const drawnNew = await page.getAttribute('svg#cluster g[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
    assert.equal(newLeader, drawnNew);
    assert.notEqual(newLeader, revealed, 'leadership moved');

    // Back rebuilds the previous step; then play on to the end.
    await page.locator('#tour-back').click();
    await page.locator('#tour .choice:not([disabled])').first().waitFor();
    for (let i = 0; i < 20 && (await page.locator('#tour-summary').count()) === 0; i++) {
      const open = page.locator('#tour .choice:not([disabled])');
      if (await open.count()) await open.first().click();
      if (await page.locator('#tour-act').count()) await page.locator('#tour-act').click();
      await page.locator('#tour-next').click();
    }
    await page.locator('#tour-summary').waitFor();
    assert.match(await page.locator('#tour-summary').textContent(), /Say it in the interview/);
    browser.assertNoErrors('during the tour');
  });

  it('killing the broker from the picture counts as the action', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start[data-tour="6"]').click();
    await page.locator('#tour .choice').first().click();
    await page.locator('#tour-next').click();
    await page.locator('#tour .choice:not([disabled])').first().click();
    const leader = await page.getAttribute('svg#cluster g[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
    await page.locator(`svg#cluster g.broker[data-broker="${leader}"]`).click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'the action button to offer to continue', () => /continue/.test(document.querySelector('#tour-act')?.textContent || ''));
    await page.locator('#tour-act').click();
    await page.locator('#tour-value').waitFor();
    const kills = (await consoleText(page)).match(/> broker kill/g) || [];
    assert.equal(kills.length, 1, 'the broker was killed once');
    browser.assertNoErrors('acting in the picture');
  });
});
