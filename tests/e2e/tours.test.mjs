// Guided tours in the browser: the list, and the broker-failure tour played as a learner would:
// each step first plays its change (watchable, stopping where the question is about), then shows
// its text with what it speaks of ringed in the picture, asks for a prediction (counters that
// would answer it hidden), takes the learner's action (the button, or the same thing done in the
// picture), plays on and reveals the model's value, which is what the picture draws. The summary
// has a score and the next tour; closing the tour gives the learner's own session back.
//
// DOM contract: button.tour-start[data-tour]; #tour[data-phase]; #tour-playing (while a phase
// plays), #tour-skip; #tour .choice; #tour-act; #tour-value; #tour-next; #tour-back; #tour-summary,
// #tour-score, #tour-next-tour, #tour-done; svg#cluster rect.mark[data-mark]; #counters-hidden.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, consoleText, launch, narrationText, openApp, openTab, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 180_000;
const leaderOf0 = (page) => page.getAttribute('svg#cluster g[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');

/** Waits until the step's play is over and it asks (or offers its action, or reveals). */
const settled = (page) =>
  waitFor(page, 'the step to stop playing', () => {
    const p = document.querySelector('#tour')?.dataset.phase;
    return p === 'asking' || p === 'acting' || p === 'revealed' ? p : null;
  }, null, { timeout: 60_000 });

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

  it('lists eleven tours: one per interview point, scaling out, and the controller quorum', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start').first().waitFor();
    assert.equal(await page.locator('button.tour-start').count(), 11);
    browser.assertNoErrors('on load');
  });

  it('the broker-failure tour: watch, predict, act, reveal from the model, score, your session back', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start[data-tour="6"]').click();
    // Step 1 plays its scene first: the question comes once the play stops.
    await page.locator('#tour-playing').waitFor();
    assert.equal(await page.locator('#tour .choice').count(), 0, 'no question while the scene plays');
    assert.equal(await settled(page), 'asking');
    assert.match(await page.locator('#tour-h').textContent(), /Broker failure/);
    assert.ok((await page.locator('svg#cluster rect.mark[data-mark^="Partition"]').count()) > 0, 'what the text speaks of is ringed');
    await page.locator('#tour .choice', { hasText: /^1$/ }).click();
    await page.locator('#tour-value').waitFor();
    const revealed = (await page.locator('#tour-value').textContent()).trim();
    assert.equal(revealed, await leaderOf0(page), 'the reveal is what the picture draws');
    assert.equal(await page.locator('#tour .choice.correct').count(), 1, 'the choice equal to the model value is marked');

    // Step 2: predict (by keyboard), then the learner kills the leader with the action button,
    // and the next three seconds play.
    await page.locator('#tour-next').click();
    await settled(page);
    await page.locator('#tour .choice:not([disabled])').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#tour-act').waitFor();
    assert.match(await page.locator('#tour-act').textContent(), new RegExp(`broker kill ${revealed}`));
    await page.locator('#tour-act').click();
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    await waitFor(page, `broker ${revealed} drawn dead`, (b) => document.querySelector(`g.broker[data-broker="${b}"]`)?.dataset.state === 'dead', revealed);

    // Step 3: the failover plays until the election, and stops right there.
    await page.locator('#tour-next').click();
    await settled(page);
    await page.locator('#tour .choice:not([disabled])').first().click();
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    const newLeader = (await page.locator('#tour-value').textContent()).trim();
    assert.equal(newLeader, await leaderOf0(page));
    assert.notEqual(newLeader, revealed, 'leadership moved');

    // Step 4 asks how many acknowledged records were lost: the ledger's counts are hidden.
    await page.locator('#tour-next').click();
    await settled(page);
    await openTab(page, 'ledger');
    await page.locator('#counters-hidden').waitFor();
    await openTab(page, 'tours');

    // Back rebuilds the previous step; then play on to the end (skipping the plays).
    await page.locator('#tour-back').click();
    await settled(page);
    for (let i = 0; i < 30 && (await page.locator('#tour-summary').count()) === 0; i++) {
      await page.locator('#tour-skip').click({ timeout: 1000 }).catch(() => {});
      const open = page.locator('#tour .choice:not([disabled])');
      if (await open.count()) await open.first().click();
      if (await page.locator('#tour-act').count()) await page.locator('#tour-act').click();
      await page.locator('#tour-skip').click({ timeout: 1000 }).catch(() => {});
      await page.locator('#tour-next').click();
    }
    await page.locator('#tour-summary').waitFor();
    assert.match(await page.locator('#tour-summary').textContent(), /Say it in the interview/);
    assert.match(await page.locator('#tour-score').textContent(), /You predicted \d+ of \d+ correctly/);
    assert.match(await page.locator('#tour-next-tour').textContent(), /Next tour: What happens on consumer failure/);
    // Closing the tour gives the learner's own session back: the default scenario's group.
    await page.locator('#tour-done').click();
    await page.locator('svg#cluster g.consumer[data-consumer="c1"]').waitFor({ state: 'attached' });
    assert.match(await consoleText(page), /your own session is back/);
    browser.assertNoErrors('during the tour');
  });

  it('the log-storage tour: segments roll, a skip to the retention check says so, the ledger tells removed from lost', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start[data-tour="8"]').click();
    assert.equal(await settled(page), 'asking');
    assert.match(await page.locator('#tour-h').textContent(), /How a log is stored/);
    await page.locator('#tour .choice', { hasText: /^3$/ }).click();
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    assert.equal((await page.locator('#tour-value').textContent()).trim(), '3', 'three segments after 20 s');
    assert.equal(await page.locator('#tour-jumped').count(), 0, 'no jump in a step that plays its time');

    // Step 2: the prediction, then the clock jumps to just before the 5-minute retention check
    // (said on screen) and the check itself plays.
    await page.locator('#tour-next').click();
    assert.equal(await settled(page), 'asking');
    await page.locator('#tour .choice', { hasText: /^0$/ }).click();
    await page.locator('#tour-jumped').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('#tour-jumped').textContent(), /jumped 4 min 25 s ahead/);
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    assert.equal((await page.locator('#tour-value').textContent()).trim(), '0', 'retention deleted every expired segment');
    await openTab(page, 'ledger');
    assert.equal((await page.locator('#count-removed').textContent()).trim(), '50', 'removed by retention, said apart');
    assert.equal((await page.locator('#count-lost').textContent()).trim(), '0', 'and not lost');
    await openTab(page, 'tours');

    // Step 3: the paused consumer resumes below the log start and resets to it.
    await page.locator('#tour-next').click();
    assert.equal(await settled(page), 'asking');
    assert.equal(await page.locator('#tour-jumped').count(), 0, 'the jump note belongs to its step');
    await page.locator('#tour .choice', { hasText: /^50$/ }).click();
    await page.locator('#tour-act').click();
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    assert.equal((await page.locator('#tour-value').textContent()).trim(), '50');
    assert.match(await narrationText(page), /below clicks-0's log start 50 \(OFFSET_OUT_OF_RANGE\): it reset to earliest/);
    browser.assertNoErrors('during the log-storage tour');
  });

  it('killing the broker from the picture counts as the action', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openTab(page, 'tours');
    await page.locator('button.tour-start[data-tour="6"]').click();
    await settled(page);
    await page.locator('#tour .choice').first().click();
    await page.locator('#tour-next').click();
    await settled(page);
    await page.locator('#tour .choice:not([disabled])').first().click();
    const leader = await leaderOf0(page);
    await page.locator(`svg#cluster g.broker[data-broker="${leader}"]`).click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'the action button to offer to continue', () => /continue/.test(document.querySelector('#tour-act')?.textContent || ''));
    await page.locator('#tour-act').click();
    await page.locator('#tour-value').waitFor({ timeout: 60_000 });
    const kills = (await consoleText(page)).match(/> broker kill/g) || [];
    assert.equal(kills.length, 1, 'the broker was killed once');
    browser.assertNoErrors('acting in the picture');
  });
});
