// Taking things away by clicking: a consumer, then its whole group, a topic, a producer and an
// added broker. Each click is a command of the shared vocabulary (it shows in the console), the
// thing leaves the picture, and what Kafka refuses (deleting a group with members, removing a
// running broker) is refused with Kafka's words. No console errors.
//
// DOM contract used here (besides foundation.test.mjs and ui.test.mjs):
//   .action-menu button.menu-item[data-action="remove|delete"]   remove / delete in a menu
//   #inspect button[data-action="delete-topic"]                     delete the inspected topic
//   button#add-broker                                               add the next broker

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, fullSpeed, menuAction, typeCommand, launch, openPicture, waitFor, consoleText, narrationText, openMore } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;


describe(`kafkascope removal (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
    await openPicture(page);
    await fullSpeed(page);
    if ((await page.getAttribute('button#play', 'aria-pressed')) !== 'true') await page.locator('button#play').click();
  });

  after(async () => {
    if (browser) {
      await browser.screenshot('remove');
      await browser.close();
    }
  });

  it('removing a consumer closes it and takes it off the picture; its partitions move to the other member', { timeout: STEP_TIMEOUT }, async () => {
    const c1 = 'svg#cluster g.consumer[data-consumer="c1"]';
    await page.locator(c1).waitFor({ state: 'attached' });
    await menuAction(page, c1, 'remove');
    await waitFor(page, 'c1 gone from the picture', (sel) => !document.querySelector(sel), c1);
    await waitFor(page, 'focus on the picture (what it returned to is gone)', () => document.activeElement?.id === 'picture-frame');
    assert.match(await consoleText(page), /> consumer remove c1/);
    await waitFor(
      page,
      'c2 owning all three partitions of orders',
      () => document.querySelector('svg#cluster g.consumer[data-consumer="c2"]')?.dataset.partitions.split(',').length === 3,
      undefined,
      { state: () => document.querySelector('svg#cluster g.consumer[data-consumer="c2"]')?.dataset.partitions },
    );
    browser.assertNoErrors('removing a consumer');
  });

  it('a group with members cannot be deleted; an empty one can, and it leaves the picture', { timeout: STEP_TIMEOUT }, async () => {
    const group = 'svg#cluster g.group-header[data-group="billing"]';
    await menuAction(page, group, 'delete');
    assert.match(await consoleText(page), /GroupNotEmptyException: The group is not empty/, "Kafka's refusal");
    await menuAction(page, 'svg#cluster g.consumer[data-consumer="c2"]', 'remove');
    await waitFor(page, 'the group Empty', (sel) => document.querySelector(sel)?.dataset.state === 'Empty', group, {
      state: () => document.querySelector('svg#cluster g.group-header[data-group="billing"]')?.dataset.state,
    });
    await menuAction(page, group, 'delete');
    assert.match(await consoleText(page), /Deletion of requested consumer groups \('billing'\) was successful/, 'the deletion confirmed');
    await waitFor(page, 'the group gone from the picture', (sel) => !document.querySelector(sel), group);
    browser.assertNoErrors('deleting a group');
  });

  it('deleting a topic from its inspect panel removes its rows; the narration explains', { timeout: STEP_TIMEOUT }, async () => {
    await page.locator('svg#cluster g.row-label[data-topic="orders"][data-partition="0"]').click();
    await page.locator('#inspect button[data-action="delete-topic"]').click();
    await waitFor(page, 'no replica of orders drawn', () => !document.querySelector('svg#cluster g.replica[data-topic="orders"]'));
    assert.equal(await page.locator('#inspect').count(), 0, 'the inspect panel of a deleted partition closes');
    await waitFor(page, 'focus on the picture after the panel closed', () => document.activeElement?.id === 'picture-frame');
    assert.match(await consoleText(page), /> kafka-topics --delete --topic orders/);
    assert.match(await narrationText(page), /Topic orders deleted/, 'the narration of the deletion');
    assert.match(await page.locator('#no-topics').textContent(), /No topics yet/, 'an empty cluster says how to make a topic');
    browser.assertNoErrors('deleting a topic');
  });

  it('removing a producer takes it off the picture', { timeout: STEP_TIMEOUT }, async () => {
    const p1 = 'svg#cluster g.producer[data-producer="p1"]';
    await menuAction(page, p1, 'remove');
    assert.match(await consoleText(page), /> producer remove p1/);
    await waitFor(page, 'p1 gone', (sel) => !document.querySelector(sel), p1);
    browser.assertNoErrors('removing a producer');
  });

  it('an added broker can be removed once stopped, not while it runs', { timeout: STEP_TIMEOUT }, async () => {
    await openMore(page);
    await page.locator('button#add-broker').click();
    const b4 = 'svg#cluster g.broker[data-broker="4"]';
    await page.locator(b4).waitFor({ state: 'attached' });
    await page.locator(b4).click();
    const running = await page.locator('.action-menu button.menu-item').evaluateAll((bs) => bs.map((b) => b.dataset.action));
    assert.ok(!running.includes('remove'), `a running broker offers no remove (${running})`);
    await page.locator('.action-menu button[data-action="stop"]').click();
    await waitFor(page, 'broker 4 stopped', (sel) => /stopped/.test(document.querySelector(sel)?.getAttribute('class') ?? ''), b4, {
      state: () => document.querySelector('svg#cluster g.broker[data-broker="4"]')?.getAttribute('class'),
    });
    await menuAction(page, b4, 'remove');
    assert.match(await consoleText(page), /> broker remove 4/);
    await waitFor(page, 'broker 4 gone', (sel) => !document.querySelector(sel), b4);
    // Broker 1 holds replicas of __consumer_offsets: Kafka would need a reassignment first.
    await typeCommand(page, 'broker remove 1');
    assert.match(await consoleText(page), /Error: broker 1 is running/);
    browser.assertNoErrors('removing a broker', { all: true });
  });
});
