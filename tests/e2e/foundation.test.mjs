// Foundation end-to-end test: the release build loads, draws a three-broker cluster, and a broker
// failure moves leadership away and the restarted broker catches up and rejoins the ISR.
//
// DOM contract (the app's side of it):
//   svg#cluster g.broker        data-broker="N" data-state="alive|dead|fenced|stopped"; click (or
//                               Enter) opens its action menu
//   .action-menu button.menu-item[data-action="kill|restart|stop|isolate|heal"]
//   g.replica                   data-topic, data-partition, data-broker, data-role="leader|follower",
//                               data-isr="true|false"
//   input#speed                 type=range, log scale; max = fastest
//   button#play                 aria-pressed="true" while playing (the app starts playing)
//
// Steps share one page and run in order; each waits by polling the DOM, never by sleeping.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor } from './lib/browser.mjs';

const TOPIC = 'orders';
const PARTITION = '0';
const STEP_TIMEOUT = 90_000; // per step, generous: each inner wait is ~30 s

/** Attribute snapshot of every broker and replica, for assertions and failure messages. */
function snapshot() {
  const attrs = (el) => Object.fromEntries(Object.entries(el.dataset));
  return {
    brokers: [...document.querySelectorAll('svg#cluster g.broker')].map(attrs),
    replicas: [...document.querySelectorAll('svg#cluster g.replica')].map(attrs),
  };
}

/** Brokers plus the replicas of orders-0 only: short enough for a failure message. */
function ordersState() {
  const attrs = (el) => Object.fromEntries(Object.entries(el.dataset));
  return {
    brokers: [...document.querySelectorAll('svg#cluster g.broker')].map(attrs),
    orders0: [...document.querySelectorAll('svg#cluster g.replica[data-topic="orders"][data-partition="0"]')].map(attrs),
  };
}

describe(`kafkascope foundation (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;
  let leaderBefore; // broker id (string) that led orders-0 before the failure

  before(async () => {
    browser = await launch();
    page = browser.page;
  });

  after(async () => {
    if (browser) {
      const file = await browser.screenshot('foundation');
      if (file) console.log(`# screenshot: ${file}`);
      await browser.close();
    }
  });

  it('loads without errors and has the right title', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page);
    // The wasm starts after the load event: wait for the first render.
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    assert.match(await page.title(), /kafkascope/i);
    browser.assertNoErrors('after loading');
  });

  it('draws exactly three alive brokers and well-formed replicas', { timeout: STEP_TIMEOUT }, async () => {
    const { brokers, replicas } = await page.evaluate(snapshot);
    assert.equal(brokers.length, 3, `brokers: ${JSON.stringify(brokers)}`);
    assert.deepEqual(
      brokers.map((b) => b.broker).sort(),
      [...new Set(brokers.map((b) => b.broker))].sort(),
      'broker ids are unique',
    );
    for (const b of brokers) {
      assert.match(b.broker ?? '', /^\d+$/, `data-broker of ${JSON.stringify(b)}`);
      assert.equal(b.state, 'alive', `initial state of broker ${b.broker}`);
    }

    assert.ok(replicas.length > 0, 'some replicas are drawn');
    const brokerIds = new Set(brokers.map((b) => b.broker));
    for (const r of replicas) {
      assert.ok(r.topic, `data-topic of ${JSON.stringify(r)}`);
      assert.match(r.partition ?? '', /^\d+$/, `data-partition of ${JSON.stringify(r)}`);
      assert.ok(brokerIds.has(r.broker), `replica on a drawn broker: ${JSON.stringify(r)}`);
      assert.match(r.role ?? '', /^(leader|follower)$/, `data-role of ${JSON.stringify(r)}`);
      assert.match(r.isr ?? '', /^(true|false)$/, `data-isr of ${JSON.stringify(r)}`);
    }

    const ordersLeaders = replicas.filter(
      (r) => r.topic === TOPIC && r.partition === PARTITION && r.role === 'leader',
    );
    assert.equal(ordersLeaders.length, 1, `one leader for ${TOPIC}-${PARTITION}: ${JSON.stringify(ordersLeaders)}`);
    leaderBefore = ordersLeaders[0].broker;
    assert.ok(
      replicas.some((r) => r.topic === TOPIC && r.partition === PARTITION && r.broker !== leaderBefore),
      `${TOPIC}-${PARTITION} has a follower to fail over to`,
    );
    browser.assertNoErrors();
  });

  it('is playing, and runs at full speed', { timeout: STEP_TIMEOUT }, async () => {
    assert.equal(await page.locator('button#play').getAttribute('aria-pressed'), 'true', 'the app starts playing');

    // A range input cannot be `fill`ed: set the value and fire the events a user's drag would.
    const speed = page.locator('input#speed');
    assert.equal(await speed.getAttribute('type'), 'range');
    const { value, max } = await speed.evaluate((el) => {
      el.value = el.max;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return { value: el.value, max: el.max };
    });
    assert.equal(value, max, 'speed slider moved to its maximum');
    // The app may re-render the slider from its own state: it must keep (about) the new value.
    await waitFor(page, 'speed slider to stay at its maximum', () => {
      const el = document.querySelector('input#speed');
      const [v, lo, hi] = [el?.value, el?.min || 0, el?.max || 100].map(Number);
      return Math.abs(hi - v) <= (hi - lo) * 0.01;
    });
    browser.assertNoErrors();
  });

  it(`killing the leader of ${TOPIC}-${PARTITION} moves leadership to another broker`, { timeout: STEP_TIMEOUT }, async () => {
    assert.ok(leaderBefore, 'previous step found the leader');
    const broker = page.locator(`svg#cluster g.broker[data-broker="${leaderBefore}"]`);
    await broker.click();
    await page.locator('.action-menu button[data-action="kill"]').click();
    assert.equal(await page.locator('.action-menu').count(), 0, 'the menu closes after acting');
    await waitFor(
      page,
      `broker ${leaderBefore} to be dead`,
      (b) => document.querySelector(`svg#cluster g.broker[data-broker="${b}"]`)?.dataset.state === 'dead',
      leaderBefore,
      { state: snapshot },
    );
    const newLeader = await waitFor(
      page,
      `a new leader of ${TOPIC}-${PARTITION} other than broker ${leaderBefore}`,
      ({ topic, partition, old }) => {
        const leaders = document.querySelectorAll(
          `svg#cluster g.replica[data-topic="${topic}"][data-partition="${partition}"][data-role="leader"]`,
        );
        return leaders.length === 1 && leaders[0].dataset.broker !== old ? leaders[0].dataset.broker : null;
      },
      { topic: TOPIC, partition: PARTITION, old: leaderBefore },
      { state: ordersState },
    );
    assert.notEqual(newLeader, leaderBefore);
    const { brokers } = await page.evaluate(snapshot);
    assert.equal(brokers.find((b) => b.broker === newLeader)?.state, 'alive', 'the new leader is alive');
    browser.assertNoErrors();
  });

  it('restarting the broker brings it back into the ISR', { timeout: STEP_TIMEOUT }, async () => {
    await page.locator(`svg#cluster g.broker[data-broker="${leaderBefore}"]`).click();
    await page.locator('.action-menu button[data-action="restart"]').click();
    await waitFor(
      page,
      `broker ${leaderBefore} to be alive again`,
      (b) => document.querySelector(`svg#cluster g.broker[data-broker="${b}"]`)?.dataset.state === 'alive',
      leaderBefore,
      { state: snapshot },
    );
    await waitFor(
      page,
      `broker ${leaderBefore}'s replica of ${TOPIC}-${PARTITION} to rejoin the ISR`,
      ({ topic, partition, b }) =>
        document.querySelector(
          `svg#cluster g.replica[data-topic="${topic}"][data-partition="${partition}"][data-broker="${b}"]`,
        )?.dataset.isr === 'true',
      { topic: TOPIC, partition: PARTITION, b: leaderBefore },
      { state: ordersState },
    );
    browser.assertNoErrors();
  });

  it('logged no console errors or page errors', async () => {
    browser.assertNoErrors('during the run', { all: true });
  });
});
