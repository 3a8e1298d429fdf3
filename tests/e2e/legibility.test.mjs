// Legibility: in every preset (at the start and at the end of its script) and every tour step
// (when it asks and when it reveals), at 1280×720, 1440×900,
// 1920×1080 and 390×844 (light; dark too on a laptop and a phone), every text of the picture is
// drawn at 11 CSS px or more, no two texts overlap, no text leaves its box or the picture, no message
// in flight covers a text (they pass under it, behind a halo of its background), and the
// picture's frame gets at least half of the screen (the default scenario's drawing too, on a laptop).
// Measured in the page (tests/e2e/lib/legibility.mjs), not by eye.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, openTab, waitFor } from './lib/browser.mjs';
import { measure } from './lib/legibility.mjs';

const PRESETS = [
  'default', 'leader-failover', 'acks1-loss', 'acks-all-no-loss', 'min-insync-replicas', 'unclean-election',
  'controlled-shutdown', 'zombie-leader', 'idempotence', 'consumer-crash', 'consumer-leave', 'coordinator-failover',
  'eager-vs-cooperative', 'static-membership', 'stuck-consumer', 'delivery-semantics', 'assignors', 'eos-vs-alo',
  'txn-commit', 'txn-abort', 'txn-zombie', 'delete-and-remove', 'txn-timeout', 'txn-coordinator-failover',
  'retention', 'compaction', 'power-loss', 'scaling-out', 'controller-failover', 'rack-failure',
];
const SIZES = [
  { width: 1280, height: 720, schemes: ['light', 'dark'] },
  { width: 1440, height: 900, schemes: ['light'] },
  { width: 1920, height: 1080, schemes: ['light'] },
  { width: 390, height: 844, schemes: ['light', 'dark'] },
];

/** Seeks the page's timeline to its end (the preset's last command and beyond). */
const seekToEnd = (page) =>
  page.locator('#timeline').evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });

/** Two animation frames: whatever changed is drawn and laid out before measuring. */
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Clicks the tour's Skip button if the step is still playing (it may finish on its own first). */
const skip = (page) => page.locator('#tour-skip').click({ timeout: 1000 }).catch(() => {});

function check(m, where, { laptop, isDefault }) {
  assert.ok(m.texts >= 8, `${where}: the picture has its texts (${m.texts})`);
  assert.ok(m.smallest >= 11, `${where}: smallest text ${m.smallest}px ("${m.smallestText}")`);
  assert.deepEqual(m.overlaps, [], `${where}: texts overlap`);
  assert.deepEqual(m.clipped, [], `${where}: texts clipped`);
  assert.deepEqual(m.covered, [], `${where}: texts covered by messages in flight`);
  if (laptop) {
    assert.ok(m.frameShare >= 50, `${where}: the picture's frame gets ${m.frameShare}% of the screen`);
    if (isDefault) assert.ok(m.share >= 50, `${where}: the picture covers ${m.share}% of the screen`);
  }
}

for (const size of SIZES) {
  for (const scheme of size.schemes) {
    describe(`legibility at ${size.width}×${size.height}, ${scheme} (${BASE_URL})`, { concurrency: false }, () => {
      let browser;
      let page;
      const laptop = size.width >= 1280 && size.width <= 1440;
      before(async () => {
        browser = await launch({ viewport: { width: size.width, height: size.height }, colorScheme: scheme });
        page = browser.page;
      });
      after(async () => {
        if (browser) await browser.close();
      });

      it('every preset, at its start and its end', { timeout: 300_000 }, async () => {
        for (const name of PRESETS) {
          await openApp(page, `?scenario=${name}`);
          await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
          await waitFor(page, 'the picture laid out for its frame', () => !!document.querySelector('.picture-layers[data-zoom]'));
          // The preset's first commands apply on the first frames.
          await waitFor(page, 'replicas drawn', () => !!document.querySelector('svg#cluster g.replica'));
          const isDefault = name === 'default';
          // Its clients start once the topic's records are committed by the KRaft quorum (a few
          // virtual ms later): the default picture is measured with its producer and group drawn.
          if (isDefault) await waitFor(page, 'the group drawn', () => !!document.querySelector('svg#cluster g.consumer'));
          await frames(page);
          check(await measure(page), `${name} at its start`, { laptop, isDefault });
          await seekToEnd(page);
          await frames(page);
          check(await measure(page), `${name} at its end`, { laptop, isDefault: false });
        }
        browser.assertNoErrors('drawing the presets', { all: true });
      });

      it('every tour, at every step: when it asks and when it reveals', { timeout: 600_000 }, async () => {
        for (let tour = 0; tour < 10; tour++) {
          await openApp(page);
          await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
          await openTab(page, 'tours');
          await page.locator(`button.tour-start[data-tour="${tour}"]`).click();
          for (let step = 0; step < 20 && (await page.locator('#tour-summary').count()) === 0; step++) {
            const phase = () => page.locator('#tour').getAttribute('data-phase');
            await skip(page);
            await waitFor(page, 'the step to stop playing', () => document.querySelector('#tour')?.dataset.phase !== 'opening');
            await frames(page);
            check(await measure(page), `tour ${tour + 1} step ${step + 1} (${await phase()})`, { laptop, isDefault: false });
            const open = page.locator('#tour .choice:not([disabled])');
            if (await open.count()) await open.first().click();
            if (await page.locator('#tour-act').count()) await page.locator('#tour-act').click();
            await skip(page);
            await page.locator('#tour-next').waitFor();
            await frames(page);
            check(await measure(page), `tour ${tour + 1} step ${step + 1} revealed`, { laptop, isDefault: false });
            await page.locator('#tour-next').click();
          }
          await page.locator('#tour-summary').waitFor();
        }
        browser.assertNoErrors('playing the tours', { all: true });
      });
    });
  }
}
