// Links from scripts and from other tools (docs/trace-format.md): `kafkascope link FILE.ks` prints a
// URL that opens the page at the same ledger the runner prints for that script, and a trace written
// by another program (raw DEFLATE + base64url, here Node's zlib) opens and replays as written, and
// a real cluster's `kafka-topics --describe` pasted into Import becomes the session's cluster.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, openMore, openTab, consoleText, typeCommand } from './lib/browser.mjs';

const STEP_TIMEOUT = 180_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The headless runner (built by the sim step; cargo builds it if it is missing). */
function runner(...args) {
  return execFileSync('cargo', ['run', '-q', '-p', 'kafkascope-sim', '--profile', 'native', '--bin', 'kafkascope', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

async function ledger(page) {
  await openTab(page, 'ledger');
  const dd = await page.locator('.counters dd').allTextContents();
  // acked, failed, pending, lost, duplicated: the runner's `ledger` line in the same order.
  return dd.slice(0, 5).map(Number);
}

describe(`kafkascope links from scripts and tools (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('`kafkascope link` opens at the ledger `kafkascope run` prints', { timeout: STEP_TIMEOUT }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkascope-link-'));
    const script = path.join(dir, 'failover.ks');
    fs.writeFileSync(script, fs.readFileSync(path.join(ROOT, 'scenarios', 'leader-failover.ks'), 'utf8') + '\nledger\n');
    const out = runner('run', script);
    const line = out.split('\n').filter((l) => l.startsWith('acked ')).pop();
    const want = line.match(/acked (\d+)\s+failed (\d+)\s+pending (\d+)\s+lost (\d+)\s+duplicated (\d+)/).slice(1).map(Number);
    assert.ok(want[0] > 0, `the runner's ledger: ${line}`);
    const url = runner('link', script, '--base', BASE_URL).trim();
    assert.ok(url.startsWith(`${BASE_URL}?s=`), url);
    await page.goto(url);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await consoleText(page), /Replayed \d+ command/);
    assert.deepEqual(await ledger(page), want, `the page's ledger is the runner's (${line})`);
    const embed = runner('link', script, '--embed', '--base', BASE_URL).trim();
    assert.ok(embed.startsWith(`${BASE_URL}?embed=1&s=`), embed);
    browser.assertNoErrors('after opening the link');
  });

  it('a trace another tool wrote opens as a link and replays', { timeout: STEP_TIMEOUT }, async () => {
    // The example of docs/trace-format.md; `events: 0` means "when virtual time reaches at_ms".
    const trace = {
      format: 4, seed: 7, brokers: 3, end_ms: 20000,
      commands: [
        { at_ms: 0, events: 0, command: 'kafka-topics --create --topic orders --partitions 3 --replication-factor 3' },
        { at_ms: 1000, events: 0, command: 'producer start p1 --topic orders --rate 10/s' },
        { at_ms: 5000, events: 0, command: 'broker kill 1' },
      ],
    };
    const text = zlib.deflateRawSync(Buffer.from(JSON.stringify(trace)), { level: 9 }).toString('base64url');
    await openApp(page, `?s=${text}`);
    await page.locator('svg#cluster g.broker[data-broker="1"]').waitFor({ state: 'attached' });
    assert.equal(await page.getAttribute('g.broker[data-broker="1"]', 'data-state'), 'dead', 'broker 1 was killed at 5 s');
    assert.match(await consoleText(page), /Replayed 3 command/);
    const [acked] = await ledger(page);
    assert.ok(acked > 100, `the producer ran from 1 s to 20 s: ${acked} acked`);
    // A line the command language does not know: a message and the default session, not a guess.
    trace.commands[2].command = 'broker kil 1';
    const bad = zlib.deflateRawSync(Buffer.from(JSON.stringify(trace))).toString('base64url');
    await openApp(page, `?s=${bad}`);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await consoleText(page), /could not be read.*broker kil 1/s);
    browser.assertNoErrors('after the written links');
  });

  it("a real cluster's describe output pasted into Import becomes the cluster", { timeout: STEP_TIMEOUT }, async () => {
    // Kafka 4.0's layout (shared/kafka-reference-v2.md §1.1), one partition offline, and a topic
    // from an older tool copied from a terminal (spaces, no TopicId).
    const describe = [
      'Topic: clicks\tTopicId: 3vXhQ0cJSm2b9a5eK1o7Qg\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: retention.ms=3600000',
      '\tTopic: clicks\tPartition: 0\tLeader: 2\tReplicas: 2,1\tIsr: 2,1\tElr: \tLastKnownElr: ',
      '\tTopic: clicks\tPartition: 1\tLeader: none\tReplicas: 1,3\tIsr: 3\tElr: \tLastKnownElr: ',
      'Topic: audit  PartitionCount: 1  ReplicationFactor: 3  Configs: min.insync.replicas=2',
      '    Topic: audit  Partition: 0  Leader: 3  Replicas: 3,1,2  Isr: 3,1,2',
    ].join('\n');
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await openMore(page);
    await page.locator('#import').click();
    // Not describe output: refused with the line, nothing changes.
    await page.locator('#import-text').fill('hello');
    await page.locator('#import-go').click();
    await page.locator('#import-result .import-error').waitFor();
    assert.match(await page.locator('#import-result').textContent(), /Not imported: .*line 1/);
    await page.locator('#import-text').fill(describe);
    await page.locator('#import-go').click();
    await page.locator('#import-script').waitFor();
    const result = await page.locator('#import-result').textContent();
    assert.match(result, /Imported 2 topics on 3 brokers/);
    assert.match(result, /clicks-1: offline in the real cluster/, 'what it cannot reproduce is named');
    assert.match(await page.locator('#import-script').inputValue(), /--topic clicks --replica-assignment 2:1,1:3 --config retention\.ms=3600000/);
    await page.locator('#import-close').click();
    assert.equal(await page.locator('#import-text').count(), 0, 'Close closes the dialog');
    // The picture holds the imported replicas, and the tool describes the real assignment back.
    assert.equal(await page.locator('svg#cluster g.broker').count(), 3);
    await page.locator('g[data-topic="audit"][data-partition="0"][data-broker="3"]').waitFor({ state: 'attached' });
    await typeCommand(page, 'kafka-topics --describe --topic clicks');
    const text = await consoleText(page);
    assert.match(text, /Imported 2 topic\(s\)/);
    assert.match(text, /Partition: 0\tLeader: 2\tReplicas: 2,1\tIsr: 2,1/);
    assert.match(text, /Partition: 1\tLeader: 1\tReplicas: 1,3/);
    browser.assertNoErrors('after the import');
  });
});
