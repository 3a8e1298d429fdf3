// A big picture (more than 16 partition rows) switches to the compact drawing: logs as a map and
// the messages in flight as one path of dots per kind. The dots must still be there, move, and
// keep their kind's class (the legend's colour), and hiding a kind in the legend hides its dots.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openPicture, typeCommand, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;

describe(`kafkascope compact picture (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
    await openPicture(page);
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('messages of a big cluster are drawn as dots batched by kind, and they move', { timeout: STEP_TIMEOUT }, async () => {
    await typeCommand(page, 'kafka-topics --create --topic wide --partitions 24 --replication-factor 3');
    await typeCommand(page, 'producer start fast --topic wide --rate 50/s --keys a,b,c,d --async');
    if ((await page.getAttribute('button#play', 'aria-pressed')) !== 'true') await page.locator('button#play').click();
    const batches = 'svg.messages-layer g.messages path.msg-batch';
    const first = await waitFor(
      page,
      'batched message dots with a produce batch among them',
      (sel) => {
        const ps = [...document.querySelectorAll(sel)];
        const produce = ps.find((p) => p.classList.contains('m-produce'));
        return produce ? produce.getAttribute('d') : null;
      },
      batches,
    );
    assert.match(first, /^M[\d.]+,[\d.]+a/, 'a path of dots');
    assert.equal(await page.locator('svg.messages-layer g.messages > g').count(), 0, 'no per-message groups in compact mode');
    await waitFor(
      page,
      'the produce dots to move',
      ([sel, before]) => document.querySelector(`${sel}.m-produce`)?.getAttribute('d') !== before,
      [batches, first],
    );
    // The legend's filter hides a kind: its batch goes.
    await page.locator('input#kind-m-produce').uncheck();
    await waitFor(page, 'no produce dots once hidden', (sel) => !document.querySelector(`${sel}.m-produce`), batches);
    browser.assertNoErrors('drawing the compact picture', { all: true });
  });
});
