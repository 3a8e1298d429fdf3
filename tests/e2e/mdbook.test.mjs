// examples/mdbook: an mdBook whose chapter embeds a scenario with a plain <iframe> (no
// preprocessor). Built here with mdbook into the folder the test server serves, beside the app:
// the chapter shows a live cluster; with the book's kafkascope-embed.js the iframe is sized to its
// picture and follows the book's theme.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe(`kafkascope in an mdBook (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    // scripts/test.sh serves target/e2e-www, with the app at kafkascope/: the book goes beside it.
    execFileSync('mdbook', ['build', path.join(ROOT, 'examples', 'mdbook'), '-d', path.join(ROOT, 'target', 'e2e-www', 'book')], { stdio: 'pipe' });
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    page = browser.page;
  });

  after(async () => {
    if (browser) {
      const file = await browser.screenshot('mdbook-chapter');
      if (file) console.log(`# screenshot: ${file}`);
      await browser.close();
    }
  });

  it('the chapter shows a live cluster, sized to its picture, in the book\'s theme', { timeout: STEP_TIMEOUT }, async () => {
    const response = await page.goto(new URL('../book/failover.html', BASE_URL).href, { waitUntil: 'load' });
    assert.ok(response.ok(), `the built chapter is served (${response.status()})`);
    assert.match(await page.locator('main h1').textContent(), /When a leader fails/);
    const frame = page.frameLocator('iframe.kafkascope');
    await frame.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.equal(await frame.locator('svg#cluster g.broker').count(), 3);
    // origin=parent: the embed talks to the book's origin; kafkascope-embed.js gave it the book's
    // (light) theme when it said it was ready.
    const embedded = page.frames().find((f) => f.url().includes('embed=1'));
    await waitFor(embedded, 'the book\'s light theme in the embed', () => document.documentElement.dataset.theme === 'light');
    // Sized to its picture: the height it asked for replaced the snippet's 520.
    await waitFor(page, 'the iframe sized by kafkascope:size', () => /px$/.test(document.querySelector('iframe.kafkascope').style.height));
    const inner = await page.frames().find((f) => f.url().includes('embed=1')).evaluate(() => {
      const fr = document.querySelector('.picture-frame').getBoundingClientRect();
      const svg = document.querySelector('svg#cluster').getBoundingClientRect();
      return { frameW: fr.width, frameH: fr.height, svgW: svg.width, svgH: svg.height };
    });
    assert.ok(inner.svgW >= inner.frameW * 0.9 && inner.svgH >= inner.frameH * 0.8, `the picture fills its frame: ${JSON.stringify(inner)}`);
    // The reader picks the Coal theme: the embed turns dark.
    await page.locator('#theme-toggle').click();
    await page.locator('#coal').click();
    await waitFor(embedded, 'the embed in the dark theme', () => document.documentElement.dataset.theme === 'dark');
    // The picker's menu item, clicked from script (the menu closes itself after the first pick).
    await page.evaluate(() => document.getElementById('light').click());
    await waitFor(embedded, 'and back to light', () => document.documentElement.dataset.theme === 'light');
    browser.assertNoErrors('in the book', { all: true });
  });
});
