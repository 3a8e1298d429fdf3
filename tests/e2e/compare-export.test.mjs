// Compare (two configurations, same seed, side by side) and exports (SVG, PNG, trace JSON, scenario
// script) in the browser. Downloads are caught with Playwright's download event.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, openMore, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;

async function download(page, selector) {
  await openMore(page);
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return { name: d.suggestedFilename(), data: await readFile(await d.path()) };
}

describe(`kafkascope compare and exports (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('acks=1 vs acks=all: the same crash loses a record only with acks=1', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await openMore(page);
    await page.locator('button.compare-open[data-compare="acks"]').click();
    await page.locator('#compare svg#cluster-left').waitFor({ state: 'attached' });
    await page.locator('#compare svg#cluster-right').waitFor({ state: 'attached' });
    await page.locator('#compare-step').click();
    await waitFor(page, 'one command run', () => /^1 of/.test(document.querySelector('.compare-progress')?.textContent || ''));
    await page.locator('#compare-run').click();
    await waitFor(page, 'the comparison to finish', () => document.querySelector('#compare-run')?.disabled === true);
    const lost = page.locator('#compare-facts tr[data-fact="lost"]');
    assert.equal(await lost.locator('td.left').textContent(), '1', 'acks=1 lost the acknowledged record');
    assert.equal(await lost.locator('td.right').textContent(), '0', 'acks=all lost nothing');
    assert.match(await lost.getAttribute('class'), /differs/, 'the difference is highlighted');
    assert.equal(await page.locator('#compare-facts tr[data-fact="failed"]').getAttribute('class'), null, 'equal facts are not highlighted');
    await page.locator('#compare-close').click();
    await page.locator('svg#cluster').waitFor({ state: 'attached' });
    browser.assertNoErrors('comparing');
  });

  it('exports the picture, the trace and a script of the session', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker[data-broker="3"]').click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    await waitFor(page, 'broker 3 dead', () => document.querySelector('g.broker[data-broker="3"]')?.dataset.state === 'dead');
    // Let virtual time run on past the kill, so the script must end with an `advance`.
    if ((await page.getAttribute('button#play', 'aria-pressed')) !== 'true') await page.locator('button#play').click();
    const killedAt = await page.locator('#clock').textContent();
    await waitFor(page, 'the clock moving on', (t) => document.querySelector('#clock')?.textContent !== t, killedAt);

    const svg = await download(page, '#export-svg');
    assert.equal(svg.name, 'kafkascope.svg');
    const svgText = svg.data.toString('utf8');
    assert.match(svgText, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svgText, /<style[^>]*>[^<]*\.broker/, 'styles inlined');
    assert.match(svgText, /data-broker="3" data-state="dead"/, 'the picture as it is now');

    const png = await download(page, '#export-png');
    assert.equal(png.name, 'kafkascope.png');
    assert.deepEqual([...png.data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(png.data.length > 5000, 'with a picture in it');

    const trace = JSON.parse((await download(page, '#export-trace')).data.toString('utf8'));
    assert.equal(trace.seed, 42);
    assert.equal(trace.format, 4, 'trace format 4 (docs/trace-format.md)');
    assert.ok(trace.commands.some((c) => c.command === 'broker kill 3'), 'the click is in the trace, as its command line');

    const script = (await download(page, '#export-script')).data.toString('utf8');
    const lines = script.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], 'seed 42');
    // Every command of the session, in order, between advance/step lines.
    const commands = lines.filter((l) => !/^(advance|step)\b/.test(l)).slice(1);
    assert.deepEqual(commands, [
      'network --latency 50ms --jitter 10ms',
      'kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2',
      'producer start p1 --topic orders --rate 1/s --keys alice,bob,carol,dave,erin',
      'consumer start c1 --group billing --topic orders --processing 200ms',
      'consumer start c2 --group billing --topic orders --processing 200ms',
      'broker kill 3',
    ]);
    assert.match(lines.at(-1), /^advance \d+ms$/, 'it ends at the moment on screen');
    browser.assertNoErrors('exporting');
  });
});
