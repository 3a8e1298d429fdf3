// The learner's view, end to end (issue "The learner's view"): keys from the moment the page loads,
// Escape closing every panel and dialog, the console (scrolled to the newest entry, no keyboard
// trap, commands of a dropped future marked), a fresh session, zoom, messages labelled by pointing
// or all at once, slow motion around an election, a partition travelling between consumers, a
// crashed consumer drawn as crashed until its coordinator notices, "Step" to the next narrated
// event, and the phone's first screen.
//
// DOM contract used here (besides foundation.test.mjs and ui.test.mjs):
//   .picture-layers[data-zoom]       the zoom the picture is drawn at (CSS px per unit)
//   #zoom-in, #zoom-out, #zoom-fit   the picture's zoom tools
//   svg.tips-layer .msg-tip text     the label of the message the pointer is on
//   svg.messages-layer .msg-label    labels of every message (legend: #label-messages)
//   #slow-badge                      shown while time is shown in slow motion; More → #slow-motion
//   [data-moving="partition"]        a partition travelling to its new owner
//   g.consumer[data-held]            a crashed member's partitions as its coordinator still sees them
//   #new-session, #confirm-new-yes   More → New session, and its confirmation
//   .console .entry.dropped          a command whose future was dropped by acting in the past

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BASE_URL,
  consoleText,
  fullSpeed,
  launch,
  menuAction,
  openApp,
  openMore,
  openPicture,
  openTab,
  typeCommand,
  waitFor,
} from './lib/browser.mjs';

const STEP_TIMEOUT = 120_000;
const zoomOf = (page) => page.locator('.picture-layers').getAttribute('data-zoom').then(Number);
const playing = (page) => page.getAttribute('#play', 'aria-pressed').then((v) => v === 'true');

describe(`kafkascope, the learner's view (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch({ viewport: { width: 1280, height: 720 } });
    page = browser.page;
  });

  after(async () => {
    if (browser) {
      await browser.screenshot('learner');
      await browser.close();
    }
  });

  it('keys work from the moment the page loads, with focus nowhere', { timeout: STEP_TIMEOUT }, async () => {
    await openPicture(page);
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true, 'nothing has focus');
    assert.equal(await playing(page), true);
    await page.keyboard.press('Space');
    await waitFor(page, 'paused by Space', () => document.querySelector('#play').getAttribute('aria-pressed') === 'false');
    const z = await zoomOf(page);
    await page.keyboard.press('+');
    await waitFor(page, 'zoomed in by +', (z0) => Number(document.querySelector('.picture-layers')?.dataset.zoom) > z0 * 1.1, z);
    await page.keyboard.press('0');
    await waitFor(page, 'back to fit by 0', (z0) => Math.abs(Number(document.querySelector('.picture-layers')?.dataset.zoom) - z0) < 0.01, z);
    await page.keyboard.press('?');
    await waitFor(page, 'the shortcuts open in the Help tab', () => document.querySelector('#shortcuts')?.hasAttribute('open'));
    browser.assertNoErrors('using keys');
  });

  it('Escape closes the Embed dialog, the share link, the More menu and the drawer', { timeout: STEP_TIMEOUT }, async () => {
    await openMore(page);
    await page.locator('#embed').click();
    await page.locator('#embed-snippet').waitFor();
    await page.keyboard.press('Escape');
    await waitFor(page, 'the Embed dialog closed', () => !document.querySelector('#embed-snippet'));
    await openMore(page);
    await page.locator('#share').click();
    await page.locator('#share-link').waitFor();
    await page.locator('#share-link').focus();
    await page.keyboard.press('Escape');
    await waitFor(page, 'the share link closed', () => !document.querySelector('#share-link'));
    await openMore(page);
    await page.keyboard.press('Escape');
    await waitFor(page, 'the More menu closed', () => !document.querySelector('#more-menu'));
    await openTab(page, 'ledger');
    await page.locator('#picture-frame').focus();
    await page.keyboard.press('Escape');
    await waitFor(page, 'the drawer closed', () => document.querySelector('#drawer')?.hidden === true);
  });

  it('the console shows its newest entry, lets focus go, and marks a dropped future', { timeout: STEP_TIMEOUT }, async () => {
    for (let i = 0; i < 12; i++) await typeCommand(page, 'kafka-topics --list');
    await typeCommand(page, 'kafka-topics --describe --topic orders');
    const scroll = await page.locator('#console-log').evaluate((el) => ({ top: el.scrollTop, h: el.clientHeight, all: el.scrollHeight }));
    assert.ok(scroll.all > scroll.h, 'enough output to scroll');
    assert.ok(Math.abs(scroll.top + scroll.h - scroll.all) <= 2, `scrolled to the newest entry: ${JSON.stringify(scroll)}`);
    // No keyboard trap: Tab on an empty line, Shift+Tab and Escape all leave the input.
    const input = page.locator('#console-input');
    for (const key of ['Tab', 'Shift+Tab', 'Escape']) {
      await input.focus();
      await page.keyboard.press(key);
      assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'console-input', `${key} leaves the console`);
    }
    // Acting in the past drops the recorded future: its commands are marked in the console.
    await fullSpeed(page);
    if (!(await playing(page))) await page.locator('#play').click();
    await typeCommand(page, 'broker kill 3');
    const clock = await page.locator('#clock').textContent();
    await waitFor(page, 'time to pass after the kill', (c) => document.querySelector('#clock')?.textContent !== c, clock);
    await page.locator('#timeline').evaluate((el) => {
      el.value = String(Number(el.min) + 200);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await typeCommand(page, 'broker kill 2');
    await waitFor(page, 'the dropped command marked', () =>
      [...document.querySelectorAll('.console .entry.dropped .in')].some((e) => e.textContent.includes('broker kill 3')),
    );
    browser.assertNoErrors('in the console');
  });

  it('a new session starts fresh; cluster --brokers N starts one with N brokers', { timeout: STEP_TIMEOUT }, async () => {
    await openMore(page);
    await page.locator('#new-session').click();
    await page.locator('#confirm-new-yes').click();
    await waitFor(page, 'an empty cluster', () => !!document.querySelector('#no-topics'));
    assert.equal(await page.locator('svg#cluster g.broker').count(), 3);
    await typeCommand(page, 'cluster --brokers 5');
    await waitFor(page, 'five brokers', () => document.querySelectorAll('svg#cluster g.broker').length === 5);
    assert.match(await consoleText(page), /Started a new session: 5 broker/);
    browser.assertNoErrors('starting fresh');
  });
});

describe(`kafkascope, watching changes (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch({ viewport: { width: 1440, height: 900 } });
    page = browser.page;
    await openPicture(page);
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('pointing at a message labels it; the legend labels them all when slow', { timeout: STEP_TIMEOUT }, async () => {
    // Pause, then step one event at a time until a message is in flight, and point at it.
    if (await playing(page)) await page.locator('#play').click();
    let at = null;
    for (let i = 0; i < 300 && !at; i++) {
      await page.locator('#step-event').click();
      at = await page.evaluate(() => {
        const m = document.querySelector('svg.messages-layer g.msg');
        if (!m) return null;
        const r = m.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      });
    }
    assert.ok(at, 'a message in flight after stepping');
    await page.mouse.move(at.x, at.y);
    const tip = await waitFor(page, "the message's label", () => document.querySelector('svg.tips-layer .msg-tip text')?.textContent);
    assert.match(tip, /→/, `says from where to where: ${tip}`);
    await page.locator('#label-messages').check();
    await waitFor(page, 'every message labelled while paused', () => document.querySelectorAll('svg.messages-layer .msg-label').length > 0);
    await page.locator('#label-messages').uncheck();
    await page.locator('#play').click();
  });

  it('an election is shown in slow motion; the option turns it off', { timeout: STEP_TIMEOUT }, async () => {
    await fullSpeed(page);
    if (!(await playing(page))) await page.locator('#play').click();
    const leader = await page.getAttribute('g.replica[data-topic="orders"][data-partition="0"][data-role="leader"]', 'data-broker');
    await menuAction(page, `svg#cluster g.broker[data-broker="${leader}"]`, 'kill');
    await waitFor(
      page,
      'slow motion at the fencing and election',
      () => /Slow motion: (the controller fenced broker|orders-\d: a leader election)/.test(document.querySelector('#slow-badge')?.textContent || ''),
      null,
      { timeout: 60_000 },
    );
    await openMore(page);
    await page.locator('#slow-motion').uncheck();
    await page.keyboard.press('Escape');
    await waitFor(page, 'no slow motion once turned off', () => !document.querySelector('#slow-badge'));
    await menuAction(page, `svg#cluster g.broker[data-broker="${leader}"]`, 'restart');
    browser.assertNoErrors('in slow motion');
  });

  it('a crashed consumer keeps its partitions until the coordinator notices; then they travel to the other member', { timeout: STEP_TIMEOUT }, async () => {
    await openMore(page);
    await page.locator('#slow-motion').check();
    await page.keyboard.press('Escape');
    const c1 = 'svg#cluster g.consumer[data-consumer="c1"]';
    await waitFor(page, 'c1 consuming', (sel) => document.querySelector(sel)?.dataset.state === 'consuming', c1, { timeout: 60_000 });
    const owned = await page.getAttribute(c1, 'data-partitions');
    await menuAction(page, c1, 'kill');
    await waitFor(page, 'c1 drawn as crashed, its partitions still held', (sel) => {
      const el = document.querySelector(sel);
      return el?.dataset.state === 'crashed' && el.dataset.held === 'true' && el.dataset.partitions.length > 0;
    }, c1);
    assert.equal(await page.getAttribute(c1, 'data-partitions'), owned, 'the coordinator still counts them as c1’s');
    await waitFor(page, 'a partition travelling to its new owner', () => !!document.querySelector('[data-moving="partition"]'), null, { timeout: 90_000 });
    await waitFor(page, 'c1 holding nothing once removed', (sel) => document.querySelector(sel)?.dataset.partitions === '', c1);
    browser.assertNoErrors('after the consumer crash');
  });

  it('Step runs to the next narrated event and pauses there', { timeout: STEP_TIMEOUT }, async () => {
    if (await playing(page)) await page.locator('#play').click();
    // Something will happen: a broker crashes now, and the controller fences it later.
    await menuAction(page, 'svg#cluster g.broker[data-broker="1"]', 'kill');
    const before = await page.locator('#clock').textContent();
    await page.locator('#step').click();
    await waitFor(page, 'time moved to the next event', (c) => document.querySelector('#clock').textContent !== c, before);
    await waitFor(page, 'paused', () => document.querySelector('#play').getAttribute('aria-pressed') === 'false');
    const { clock, ticker } = await page.evaluate(() => ({
      clock: document.querySelector('#clock').textContent.replace('t = ', ''),
      ticker: document.querySelector('#ticker time')?.textContent,
    }));
    assert.equal(ticker, clock, 'the latest narrated event happened at the moment on screen');
  });
});

describe(`kafkascope on a phone, first screen (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch({ viewport: { width: 390, height: 844 } });
    page = browser.page;
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('the first screen shows the picture, and the tours are one tap away', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    const top = await page.locator('svg#cluster').boundingBox();
    assert.ok(top.y < 140, `the picture starts near the top (${top.y}px)`);
    const tours = await page.locator('#drawer-tab-tours').boundingBox();
    assert.ok(tours.y + tours.height <= 844 && tours.y > 700, `the Tours tab is at the bottom of the first screen (${tours.y}px)`);
    await page.locator('#drawer-tab-tours').click();
    await page.locator('button.tour-start').first().waitFor();
    const first = await page.locator('button.tour-start').first().boundingBox();
    assert.ok(first.y + first.height <= 844, 'the first tour is on screen after one tap');
    browser.assertNoErrors('on a phone');
  });
});
