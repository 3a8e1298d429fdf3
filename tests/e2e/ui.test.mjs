// The learner's controls end to end: action menus (kill the leader's broker and read the narration),
// the inspect panel, the configuration panels, term explanations, the theme, a keyboard-only
// walkthrough, and a phone-sized screen: the picture in one column (brokers stacked) with legible
// text, nothing overflowing sideways. No console errors.
//
// DOM contract used here (besides the one in foundation.test.mjs):
//   .action-menu button.menu-item[data-action]      the open menu's actions
//   svg#cluster[data-layout]                        "grid" (brokers as columns) or "stacked" (phones)
//   svg#cluster rect.column                         a broker's column, or its block when stacked
//   svg#cluster g.row-label[data-topic][data-partition]   a partition's label; activates the inspect panel
//   #drawer-tab-NAME, #panel-NAME                   the drawer's tabs and the panel on show
//   #more, #more-menu                               the More menu (share, embed, theme, exports…)
//   #inspect, #inspect-close                        the inspect panel (the drawer's Inspect tab)
//   button.term[data-term], #term-pop, #term-pop-close   term links and their explanation
//   #config, #tab-topic/#tab-producer/#tab-consumer, #cfg-* fields, #cfg-topic-apply, #cfg-consumer-start
//   #theme, html[data-theme], #shortcuts (details)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, consoleText, fullSpeed, launch, openMore, openPicture, openTab, typeCommand, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;

/** What has keyboard focus, in a few words (for assertions and failure messages). */
const focused = () => {
  const el = document.activeElement;
  if (!el) return 'nothing';
  const d = el.dataset || {};
  return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : ''}${d.broker ? `[broker ${d.broker}]` : ''}${d.partition ? `[partition ${d.topic}-${d.partition}]` : ''}${d.action ? `[${d.action}]` : ''}`;
};

/** Presses Tab (or `key`, e.g. Shift+Tab) until `pred(focused element)` holds (at most `max` times); returns the description. */
async function tabTo(page, what, predSrc, { max = 80, key = 'Tab' } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const hit = await page.evaluate(new Function(`const el = document.activeElement; return !!(el && (${predSrc}));`));
    if (hit) return page.evaluate(focused);
  }
  throw new Error(`Tab never reached ${what}; focus is on ${await page.evaluate(focused)}`);
}

describe(`kafkascope controls (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch();
    page = browser.page;
    await openPicture(page);
  });

  after(async () => {
    if (browser) {
      await browser.screenshot('ui');
      await browser.close();
    }
  });

  it("killing the leader's broker from its menu elects a new leader, and the narration says so", { timeout: STEP_TIMEOUT }, async () => {
    await fullSpeed(page);
    const leader = await page.getAttribute('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
    await page.locator(`svg#cluster g.broker[data-broker="${leader}"]`).click();
    const menu = page.locator('.action-menu');
    assert.match(await menu.locator('h2').textContent(), new RegExp(`Broker ${leader}`));
    const actions = await menu.locator('button.menu-item').evaluateAll((bs) => bs.map((b) => b.dataset.action));
    assert.deepEqual(actions, ['kill', 'stop', 'isolate'], 'an alive broker offers kill, controlled stop and isolate');
    await menu.locator('button[data-action="kill"]').click();
    assert.match(await consoleText(page), new RegExp(`> broker kill ${leader}`), 'the click shows as its command');
    await openTab(page, 'events');
    const newLeader = await waitFor(
      page,
      'a new leader of orders-0',
      (old) => {
        const l = document.querySelector('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]');
        return l && l.dataset.broker !== old ? l.dataset.broker : null;
      },
      leader,
    );
    await waitFor(
      page,
      'the narration to tell of the election',
      ({ old, b }) => [...document.querySelectorAll('.narration li')].some((li) => li.textContent.includes(`orders-0: leader ${old} → ${b} (epoch`)),
      { old: leader, b: newLeader },
      { state: () => [...document.querySelectorAll('.narration li')].slice(0, 5).map((li) => li.textContent) },
    );
    // Terms in the narration are links to their explanation.
    assert.ok((await page.locator('.narration button.term').count()) > 0, 'the narration links its Kafka terms');
    // The dead broker's menu offers a restart (and removal); a refused command shows Kafka's error in the console.
    await page.locator(`svg#cluster g.broker[data-broker="${leader}"]`).click();
    assert.deepEqual(await menu.locator('button.menu-item').evaluateAll((bs) => bs.map((b) => b.dataset.action)), ['restart', 'remove']);
    await page.keyboard.press('Escape');
    assert.equal(await menu.count(), 0, 'Escape closes the menu');
    await typeCommand(page, `broker kill ${leader}`);
    assert.match(await page.locator('.console-log .entry.error').last().textContent(), /Error/);
    browser.assertNoErrors('after the failover');
  });

  it('the inspect panel shows a partition: offsets, epochs, ISR history and records', { timeout: STEP_TIMEOUT }, async () => {
    await page.locator('svg#cluster g.row-label[data-topic="orders"][data-partition="0"]').click();
    const panel = page.locator('#inspect');
    await panel.waitFor();
    const text = await panel.textContent();
    for (const want of ['Partition orders-0', 'leader epoch', 'LEO', 'HW', 'log start', 'leader-epoch cache', 'ISR and leader history', 'created']) {
      assert.ok(text.includes(want), `the panel shows "${want}": ${text.slice(0, 300)}`);
    }
    assert.equal(await panel.locator('table.replicas tbody tr').count(), 3, 'one row per replica');
    await waitFor(page, 'records listed', () => document.querySelectorAll('#inspect table.records tbody tr').length > 0);
    // A replica's log: clicking it in the picture shows that broker's copy.
    const follower = await page.getAttribute('g.replica[data-topic="orders"][data-partition="0"][data-role="follower"][data-isr="true"]', 'data-broker');
    await page.locator(`g.replica[data-topic="orders"][data-partition="0"][data-broker="${follower}"]`).click();
    assert.match(await panel.locator('h3').first().textContent(), new RegExp(`Broker ${follower}'s copy`));
    await page.locator('#inspect-close').click();
    assert.equal(await panel.count(), 0);
    browser.assertNoErrors('after inspecting');
  });

  it('a term link opens its explanation', { timeout: STEP_TIMEOUT }, async () => {
    await openTab(page, 'help');
    await page.locator('.legend button.term[data-term="hw"]').click();
    const pop = page.locator('#term-pop');
    assert.match(await pop.textContent(), /high watermark/i);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'term-pop-close', 'focus moves into the explanation');
    await page.keyboard.press('Escape');
    assert.equal(await pop.count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.term), 'hw', 'focus returns to the link');
  });

  it('the configuration panels run the equivalent commands', { timeout: STEP_TIMEOUT }, async () => {
    await openTab(page, 'configure');
    const result = () => page.locator('.config-result').textContent();
    await page.locator('#cfg-topic').selectOption('(new topic)');
    await page.locator('#cfg-topic-name').fill('payments');
    await page.locator('#cfg-partitions').fill('2');
    await page.locator('#cfg-rf').fill('2');
    await page.locator('#cfg-min-isr').fill('2');
    await page.locator('#cfg-topic-apply').click();
    assert.match(await result(), /kafka-topics --create --topic payments --partitions 2 --replication-factor 2 --config min\.insync\.replicas=2/);
    await waitFor(page, 'payments partitions drawn', () => document.querySelectorAll('g.row-label[data-topic="payments"]').length === 2);
    // Altering an existing topic is kafka-configs --alter with only what changed.
    await page.locator('#cfg-topic').selectOption('orders');
    await page.locator('#cfg-unclean').selectOption('true');
    await page.locator('#cfg-topic-apply').click();
    assert.match(await result(), /kafka-configs --alter --entity-type topics --entity-name orders --add-config unclean\.leader\.election\.enable=true/);
    // A new consumer with client properties; the sim's answer (or error) shows under the form.
    await page.locator('#tab-consumer').click();
    await page.locator('#cfg-c-id').fill('c9');
    await page.locator('#cfg-c-group').fill('audit');
    await page.locator('#cfg-isolation').selectOption('read_committed');
    await page.locator('#cfg-consumer-start').click();
    assert.match(await result(), /consumer start c9 --group audit --topic orders --consumer-property isolation\.level=read_committed/, 'the result is shown under the form');
    // A producer with non-default settings.
    await page.locator('#tab-producer').click();
    await page.locator('#cfg-p-name').fill('p9');
    await page.locator('#cfg-acks').selectOption('1');
    await page.locator('#cfg-idempotence').selectOption('false');
    await page.locator('#cfg-producer-start').click();
    await waitFor(page, 'producer p9 drawn', () => !!document.querySelector('g.producer[data-producer="p9"]'));
    // Every form ran its command through the console.
    const log = await consoleText(page);
    for (const want of [
      /> kafka-topics --create --topic payments --partitions 2 --replication-factor 2 --config min\.insync\.replicas=2/,
      /> kafka-configs --alter --entity-type topics --entity-name orders --add-config unclean\.leader\.election\.enable=true/,
      /> consumer start c9 --group audit --topic orders --consumer-property isolation\.level=read_committed/,
      /> producer start p9 --topic orders --rate 1\/s --keys alice,bob,carol --producer-property acks=1 --producer-property enable\.idempotence=false/,
    ]) {
      assert.match(log, want);
    }
    browser.assertNoErrors('after configuring');
  });

  it('the theme button switches light and dark', { timeout: STEP_TIMEOUT }, async () => {
    const bg = () => getComputedStyle(document.body).backgroundColor;
    await openMore(page);
    await page.locator('#theme').click();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    const light = await page.evaluate(bg);
    await openMore(page);
    await page.locator('#theme').click();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    assert.notEqual(await page.evaluate(bg), light, 'the page changes colour');
    await openMore(page);
    await page.locator('#theme').click();
    assert.equal(await page.getAttribute('html', 'data-theme'), null, 'back to following the system');
  });

  it('logged no console errors or page errors', async () => {
    browser.assertNoErrors('during the run', { all: true });
  });
});

describe(`kafkascope by keyboard only (${BASE_URL})`, { concurrency: false }, () => {
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

  it('Tab to play, Space toggles, a broker is killed from its menu, the inspect panel opens and closes', { timeout: STEP_TIMEOUT }, async () => {
    const play = page.locator('button#play');
    assert.equal(await play.getAttribute('aria-pressed'), 'true');
    await tabTo(page, 'the play button', "el.id === 'play'");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Space');
    await waitFor(page, 'paused', () => document.querySelector('#play').getAttribute('aria-pressed') === 'false');
    await page.keyboard.press('Space');
    await waitFor(page, 'playing again', () => document.querySelector('#play').getAttribute('aria-pressed') === 'true');

    await tabTo(page, 'broker 3', "el.matches('g.broker[data-broker=\"3\"]')");
    await page.keyboard.press('Enter');
    await waitFor(page, 'the menu with focus on its first action', () => document.activeElement?.dataset.action === 'kill');
    await page.keyboard.press('Enter');
    await waitFor(page, 'broker 3 dead', () => document.querySelector('g.broker[data-broker="3"]')?.dataset.state === 'dead');
    assert.match(await page.evaluate(focused), /broker 3/, 'focus returns to the broker');

    // Partition labels come before the brokers in the tab order: go back to one.
    await tabTo(page, 'a partition label', "el.matches('g.row-label')", { key: 'Shift+Tab' });
    await page.keyboard.press('Enter');
    await waitFor(page, 'the inspect panel, focused', () => document.activeElement?.id === 'inspect');
    await page.keyboard.press('Escape');
    await waitFor(page, 'the inspect panel closed', () => !document.querySelector('#inspect'));
    assert.match(await page.evaluate(focused), /row-label/, 'focus returns to the partition');

    // "?" opens the shortcuts list; "." steps (and pauses).
    await page.keyboard.press('?');
    await waitFor(page, 'the shortcuts list open', () => document.querySelector('#shortcuts')?.hasAttribute('open'));
    assert.match(await page.locator('#shortcuts').textContent(), /Space.*play \/ pause/);
    await page.locator('svg#cluster g.broker[data-broker="1"]').focus();
    await page.keyboard.press('.');
    await waitFor(page, 'paused by a step', () => document.querySelector('#play').getAttribute('aria-pressed') === 'false');
    browser.assertNoErrors('during the keyboard walkthrough', { all: true });
  });
});

describe(`kafkascope on a phone (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch({ viewport: { width: 375, height: 812 } });
    page = browser.page;
    await openPicture(page);
  });

  after(async () => {
    if (browser) {
      await browser.screenshot('phone');
      await browser.close();
    }
  });

  it('the picture is one column: producers, brokers stacked, then groups, at a legible size', { timeout: STEP_TIMEOUT }, async () => {
    for (const width of [390, 375]) {
      await page.setViewportSize({ width, height: 812 });
      // Wait for the picture drawn for this width (not the one left from the last width): stacked,
      // and the svg no wider than the viewport.
      await waitFor(page, `the stacked picture at ${width}px`, () => {
        const svg = document.querySelector('svg#cluster');
        return svg?.dataset.layout === 'stacked' && svg.getBoundingClientRect().right <= innerWidth;
      });
      const m = await page.evaluate(() => {
        const box = (el) => {
          const r = el.getBoundingClientRect();
          return { x: r.x, y: r.y, right: r.right, bottom: r.bottom };
        };
        // The size a text is drawn at: its font size times the picture's scale.
        const px = (t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
        const all = (sel) => [...document.querySelectorAll(sel)];
        return {
          blocks: all('svg#cluster rect.column').map(box),
          producers: all('svg#cluster g.producer').map(box),
          groups: all('svg#cluster g.group-header').map(box),
          brokerLabel: Math.min(...all('svg#cluster g.broker text.title').map(px)),
          smallest: Math.min(...all('svg#cluster g.replica text, svg#cluster g.row-label text, svg#cluster g.consumer text').map(px)),
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth,
        };
      });
      assert.ok(m.blocks.length >= 3, `a block per broker: ${m.blocks.length}`);
      m.blocks.forEach((b, i) => {
        assert.ok(b.x >= 0 && b.right <= m.innerWidth, `broker block ${i} inside the screen: ${JSON.stringify(b)}`);
        if (i > 0) {
          assert.ok(Math.abs(b.x - m.blocks[0].x) < 1, `one column: block ${i} at x ${b.x}, first at ${m.blocks[0].x}`);
          assert.ok(b.y >= m.blocks[i - 1].bottom, `block ${i} below block ${i - 1}`);
        }
      });
      assert.ok(m.producers.every((p) => p.bottom <= m.blocks[0].y), 'producers above the brokers');
      assert.ok(m.groups.every((g) => g.y >= m.blocks[m.blocks.length - 1].bottom), 'consumer groups below the brokers');
      assert.ok(m.brokerLabel >= 10, `broker labels drawn at ${m.brokerLabel.toFixed(1)}px at ${width}px wide`);
      assert.ok(m.smallest >= 9.5, `replica, partition and consumer text drawn at ${m.smallest.toFixed(1)}px or more`);
      assert.ok(m.scrollWidth <= m.innerWidth, `page ${m.scrollWidth}px wide in a ${m.innerWidth}px viewport`);
    }
    browser.assertNoErrors('in the stacked picture');
  });

  it('nothing overflows sideways, with a menu and the inspect panel open', { timeout: STEP_TIMEOUT }, async () => {
    const overflow = () => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth });
    let o = await page.evaluate(overflow);
    assert.ok(o.scrollWidth <= o.innerWidth, `page ${o.scrollWidth}px wide in a ${o.innerWidth}px viewport`);
    const svg = await page.locator('svg#cluster').boundingBox();
    assert.ok(svg.x >= 0 && svg.x + svg.width <= 375, `the picture fits: ${JSON.stringify(svg)}`);
    await page.locator('svg#cluster g.broker[data-broker="1"]').click();
    await page.locator('.action-menu').waitFor();
    await page.locator('svg#cluster g.row-label').first().click();
    await page.locator('#inspect').waitFor();
    await openTab(page, 'configure');
    await page.locator('#tab-consumer').click();
    await page.locator('#zoom-in').click();
    const zoomedWidth = (await page.locator('svg#cluster').boundingBox()).width;
    const frameWidth = (await page.locator('#picture-frame').boundingBox()).width;
    assert.ok(zoomedWidth > 1.5 * frameWidth, `zoomed, the picture is drawn larger (${zoomedWidth}px) than its ${frameWidth}px frame and pans in it`);
    assert.equal(await page.getAttribute('svg#cluster', 'data-layout'), 'grid', 'zoomed in, a phone gets the wide picture to pan');
    o = await page.evaluate(overflow);
    assert.ok(o.scrollWidth <= o.innerWidth, `with panels open: page ${o.scrollWidth}px wide in ${o.innerWidth}px`);
    browser.assertNoErrors('on a phone', { all: true });
  });
});
