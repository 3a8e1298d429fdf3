// Transactions in the picture: a transactional producer's state, the last stable offset while a
// transaction is open, and the COMMIT / ABORT markers each decision writes into the log; and the
// exactly-once ledger of a read-process-write app that is killed and restarted.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, fullSpeed, menuAction, typeCommand as type, launch, openApp, waitFor, consoleText, openTab } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;

const leaderOf = (topic, partition) =>
  `svg#cluster g.replica[data-topic="${topic}"][data-partition="${partition}"][data-role="leader"]`;

describe(`kafkascope transactions (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('an open transaction holds the LSO back; commit and abort write markers', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await type(page, 'kafka-topics --create --topic pay --partitions 1 --replication-factor 3 --config min.insync.replicas=2');
    // Typed without --async, `producer start` waits for initTransactions(), as a script does.
    await type(page, 'producer start teller --producer-property transactional.id=teller-1');
    const teller = 'svg#cluster g.producer[data-producer="teller"]';
    assert.equal(await page.getAttribute(teller, 'data-txn-state'), 'READY');
    await fullSpeed(page);
    if ((await page.getAttribute('button#play', 'aria-pressed')) !== 'true') await page.locator('button#play').click();

    await menuAction(page, teller, 'begin');
    await waitFor(page, 'IN_TRANSACTION', (sel) => document.querySelector(sel)?.dataset.txnState === 'IN_TRANSACTION', teller);
    await type(page, 'produce --topic pay --key alice --value debit-10 --producer teller --async');
    // Replicated (below the HW) but undecided: the LSO marker shows and the record is marked open.
    await waitFor(page, 'an LSO below the HW on the leader', (sel) => {
      const r = document.querySelector(sel);
      return r && r.querySelector('.lso-marker') && r.querySelector('.slot.open-txn') && Number(r.dataset.hw) >= 1;
    }, leaderOf('pay', 0));

    await menuAction(page, teller, 'commit');
    await waitFor(page, 'a COMMIT marker and no LSO marker', (sel) => {
      const r = document.querySelector(sel);
      return r && r.querySelector('.slot.marker.commit') && !r.querySelector('.lso-marker') && !r.querySelector('.slot.open-txn');
    }, leaderOf('pay', 0));
    await waitFor(page, 'READY again', (sel) => document.querySelector(sel)?.dataset.txnState === 'READY', teller);

    await menuAction(page, teller, 'begin');
    await waitFor(page, 'IN_TRANSACTION', (sel) => document.querySelector(sel)?.dataset.txnState === 'IN_TRANSACTION', teller);
    await type(page, 'produce --topic pay --key bob --value debit-999 --producer teller --async');
    await waitFor(page, 'the second record replicated', (sel) => Number(document.querySelector(sel)?.dataset.hw) >= 3, leaderOf('pay', 0));
    await menuAction(page, teller, 'abort');
    await waitFor(page, 'an ABORT marker and the aborted record struck through', (sel) => {
      const r = document.querySelector(sel);
      return r && r.querySelector('.slot.marker.abort') && r.querySelector('.slot.aborted');
    }, leaderOf('pay', 0));
    const log = await consoleText(page);
    assert.match(log, /transaction begin --producer teller --async/);
    assert.match(log, /transaction abort --producer teller --async/);
    browser.assertNoErrors('after the transactions');
  });

  it('an exactly-once app killed and restarted shows no duplicates to read_committed readers', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    for (const t of ['in', 'out']) {
      await type(page, `kafka-topics --create --topic ${t} --partitions 2 --replication-factor 3 --config min.insync.replicas=2`);
    }
    await type(page, 'producer start src --topic in --rate 20/s --keys a,b,c --async');
    const app = 'processor start app --group app --input in --output out --processing-guarantee exactly_once_v2 --processing 20ms --consumer-property auto.offset.reset=earliest';
    await type(page, app);
    await fullSpeed(page);
    if ((await page.getAttribute('button#play', 'aria-pressed')) !== 'true') await page.locator('button#play').click();
    const eos = '#eos-audit [data-guarantee="exactly_once_v2"]';
    await openTab(page, 'ledger');
    await waitFor(page, 'the app writing outputs', (sel) => Number(document.querySelector(`${sel} dd.outputs`)?.textContent) >= 20, eos, { timeout: 60_000 });
    const before = Number(await page.locator(`${eos} dd.outputs`).textContent());

    await menuAction(page, 'svg#cluster g.consumer[data-consumer="app"]', 'kill');
    await waitFor(page, 'the app crashed', () => document.querySelector('g.consumer[data-consumer="app"]')?.dataset.state === 'crashed');
    await menuAction(page, 'svg#cluster g.consumer[data-consumer="app"]', 'restart');
    await openTab(page, 'ledger');
    await waitFor(page, 'outputs after the restart', ([sel, n]) => Number(document.querySelector(`${sel} dd.outputs`)?.textContent) > n + 20, [eos, before], { timeout: 90_000 });
    assert.equal(await page.locator(`${eos} dd.dup`).textContent(), '0', 'no input has two visible outputs');
    assert.equal(await page.locator(`${eos} dd.lost`).textContent(), '0', 'no consumed input lacks its output');
    assert.match(await consoleText(page), /processor kill app/);
    browser.assertNoErrors('after the crash and restart');
  });
});
