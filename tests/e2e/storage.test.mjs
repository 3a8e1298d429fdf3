// How a log is stored, in the picture and the inspect panel (issue 16): a compacted topic with small
// segments (segment.ms=10000) and keyed records, then the log cleaner's pass.
//
//   g.replica … rect.seg-bar[data-base]            a segment under the log (.active: the active one)
//   g.replica … line.seg-divider[data-base]        where a segment begins; text.off.seg-base its base offset
//   g.slot.cleaned[data-offset] > title            a gap the cleaner left, with what it removed
//   g.slot.superseded / g.slot.tombstone           a record a later one of its key supersedes / a null value
//   g.cleaner-pass[data-from][data-to]             the cleaner passing over the dirty section (for CLEAN_MS)
//   g.slot.cleaned g.ghost[opacity]                the removed record fading out behind it
//   #inspect table.segments tbody tr[data-base]    the inspect panel's segment list

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openPicture, typeCommand, waitFor, narrationText, openTab } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;
const leader = 'svg#cluster g.replica[data-topic="prices"][data-partition="0"][data-role="leader"]';

describe(`kafkascope log storage (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
    await openPicture(page, '?reset=1');
    if ((await page.getAttribute('button#play', 'aria-pressed')) === 'true') await page.locator('button#play').click();
    await typeCommand(page, 'cluster --brokers 3');
    await page.locator('svg#cluster g.broker[data-broker="3"]').waitFor({ state: 'attached' });
    if ((await page.getAttribute('button#play', 'aria-pressed')) === 'true') await page.locator('button#play').click();
    await typeCommand(
      page,
      'kafka-topics --create --topic prices --partitions 1 --replication-factor 3 --config cleanup.policy=compact --config segment.ms=10000 --config min.cleanable.dirty.ratio=0.01 --config delete.retention.ms=30000',
    );
    for (const line of [
      'produce --topic prices --key kiwi --value 1',
      'produce --topic prices --key apple --value 2',
      'produce --topic prices --key apple --value 3',
      'produce --topic prices --key pear --tombstone',
      'advance 11s',
      'produce --topic prices --key apple --value 6',
      'advance 1s',
    ]) {
      await typeCommand(page, line);
    }
    await page.locator(`${leader} g.slot[data-offset="4"].filled`).waitFor({ state: 'attached' });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('segments: a bar per segment, a divider with its base offset, the active one marked', { timeout: STEP_TIMEOUT }, async () => {
    const bars = await page.locator(`${leader} rect.seg-bar`).evaluateAll((els) =>
      els.map((e) => ({ base: e.dataset.base, active: e.classList.contains('active'), title: e.textContent })),
    );
    assert.deepEqual(bars.map((b) => [b.base, b.active]), [['0', false], ['4', true]], 'segment 0 (closed) and 4 (active)');
    assert.match(bars[1].title, /Active segment 00000000000000000004\.log \(base offset 4\): appends go here/);
    assert.match(bars[0].title, /Segment 00000000000000000000\.log, offsets 0\.\.3: closed/);
    assert.equal(await page.locator(`${leader} line.seg-divider[data-base="4"].active`).count(), 1, 'a divider where the active segment begins');
    const baseLabels = await page.locator(`${leader} text.off.seg-base`).allTextContents();
    assert.ok(baseLabels.includes('4'), `the base offset 4 is labelled: ${baseLabels}`);
    // Every replica rolls its own segments: the followers show the same boundary.
    assert.equal(await page.locator('svg#cluster g.replica[data-topic="prices"] rect.seg-bar.active[data-base="4"]').count(), 3);
  });

  it('before the cleaner passes: superseded records are marked, the tombstone has no horizon yet', { timeout: STEP_TIMEOUT }, async () => {
    const superseded = await page.locator(`${leader} g.slot.superseded`).evaluateAll((els) => els.map((e) => e.dataset.offset));
    assert.deepEqual(superseded, ['1', '2'], 'apple@1 and apple@2 are superseded by apple@4');
    assert.match(await page.locator(`${leader} g.slot.superseded[data-offset="1"] > title`).textContent(), /superseded by offset 4, a later record of key apple/);
    const tomb = await page.locator(`${leader} g.slot.tombstone[data-offset="3"] > title`).textContent();
    assert.match(tomb, /tombstone for key pear \(a null value\).*no delete horizon yet/);
    assert.equal(await page.locator(`${leader} g.slot.cleaned`).count(), 0, 'nothing cleaned yet');
  });

  it('after the pass: a cleaned gap with its tooltip, the horizon, the pass animated then gone', { timeout: STEP_TIMEOUT }, async () => {
    await typeCommand(page, 'advance 20s');
    const gap = `${leader} g.slot.cleaned[data-offset="1"]`;
    await page.locator(gap).waitFor({ state: 'attached' });
    assert.equal(
      await page.locator(`${gap} > title`).textContent(),
      "offset 1: removed by compaction; key apple's latest value is at offset 4",
    );
    assert.equal(await page.locator(`${gap} rect.gap`).count(), 1, 'drawn as a gap, not an empty slot');
    assert.equal(await page.locator(`${gap} rect.empty`).count(), 0);
    // apple@2 stays: the pass's offset map covers the dirty section only, not the active segment.
    assert.equal(await page.locator(`${leader} g.slot.superseded[data-offset="2"]`).count(), 1);
    assert.match(await page.locator(`${leader} g.slot.tombstone[data-offset="3"] > title`).textContent(), /delete horizon \d\d:\d\d\.\d{3}/);
    assert.equal(await page.locator(`${leader} g.cleaner-pass`).count(), 0, 'the pass is long over');

    // Back to the pass's moment (from the narration): the cleaner crosses the dirty section and the
    // removed record fades out behind it; a second later it is over.
    const narration = await narrationText(page);
    const m = narration.match(/(\d\d):(\d\d)\.(\d{3}) Broker (\d)'s log cleaner compacted prices-0 offsets 0\.\.3/);
    assert.ok(m, `the pass is narrated: ${narration.slice(-600)}`);
    const at = (Number(m[1]) * 60 + Number(m[2])) * 1000 + Number(m[3]);
    const seek = (ms) =>
      page.locator('input#timeline').evaluate((el, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event('input', { bubbles: true }));
      }, ms);
    await seek(at + 300);
    const pass = `${leader} g.cleaner-pass[data-from="0"][data-to="4"]`;
    await page.locator(pass).waitFor({ state: 'attached' });
    assert.equal(await page.locator(`${pass} rect.dirty-section`).count(), 1);
    const x1 = Number(await page.getAttribute(`${pass} rect.cleaner`, 'x'));
    const ghostEarly = Number(await page.getAttribute(`${gap} g.ghost`, 'opacity'));
    await seek(at + 600);
    await waitFor(page, 'the cleaner to move on', ([sel, x]) => Number(document.querySelector(sel)?.getAttribute('x')) > x, [`${pass} rect.cleaner`, x1]);
    const ghostLater = await page.locator(`${gap} g.ghost`).count() ? Number(await page.getAttribute(`${gap} g.ghost`, 'opacity')) : 0;
    assert.ok(ghostLater < ghostEarly, `the removed record fades (${ghostEarly} → ${ghostLater})`);
    await seek(at + 1100);
    await waitFor(page, 'the pass to end', (sel) => !document.querySelector(sel), pass);
    assert.equal(await page.locator(`${gap} g.ghost`).count(), 0, 'gone once the cleaner has passed');
    browser.assertNoErrors('drawing the cleaner');
  });

  it('the inspect panel lists the segments, the log start and the cleaner checkpoint', { timeout: STEP_TIMEOUT }, async () => {
    await page.locator('svg#cluster g.row-label[data-topic="prices"][data-partition="0"]').click();
    const panel = page.locator('#inspect');
    await panel.waitFor();
    const rows = await panel.locator('table.segments tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ base: tr.dataset.base, active: tr.classList.contains('active'), cells: [...tr.cells].map((c) => c.textContent) })),
    );
    assert.equal(rows.length, 2, JSON.stringify(rows));
    assert.deepEqual(rows.map((r) => [r.base, r.active]), [['0', false], ['4', true]]);
    assert.equal(rows[0].cells[0], '00000000000000000000.log');
    assert.equal(rows[0].cells[2], '0..3');
    assert.ok(Number(rows[0].cells[3]) > 0, 'a size in bytes');
    assert.match(rows[0].cells[4], /^\d\d:\d\d\.\d{3} → \d\d:\d\d\.\d{3}$/, 'first → newest append');
    assert.match(rows[0].cells[5], /closed, cleaned/);
    assert.match(rows[1].cells[5], /active/);
    const facts = await panel.locator('p.storage').textContent();
    assert.match(facts, /log start offset 0 · cleaner checkpoint 4/);
    // Keyboard: the segment table's scroll region takes focus.
    await panel.locator('.table-scroll').focus();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby')), 'segments-h');
    browser.assertNoErrors('inspecting the segments');
  });
});
