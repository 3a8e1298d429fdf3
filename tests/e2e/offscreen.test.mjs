// An embed that is not looked at costs nothing: an iframe scrolled off its host's screen, or a page
// in a hidden tab, runs no animation frames and so no simulation; back in view it goes on from the
// moment it stopped at, without replaying the wall time it missed (src/app.rs, use_animation_frame).
//
// Each case watches the page for an observation window of OBSERVE_MS while it should be stopped:
// that nothing happens during a while is the property tested, so this waits on purpose.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_URL, launch, openApp, waitFor } from './lib/browser.mjs';

const STEP_TIMEOUT = 90_000;
const OBSERVE_MS = 1500;
const SPEED = 20; // virtual ms per wall ms: a replay of the missed window would add 30 s

/** Virtual time shown (the timeline slider's value, ms) and animation frames requested so far. */
const probe = (target) =>
  target.locator('input#timeline').evaluate((el) => ({ ms: Number(el.value), frames: window.__frames }));

describe(`kafkascope off screen (${BASE_URL})`, { concurrency: false }, () => {
  let browser;
  let page;

  before(async () => {
    browser = await launch({ viewport: { width: 1200, height: 800 } });
    page = browser.page;
    // In every frame, before the app: count the animation frames it asks for.
    await page.addInitScript(() => {
      window.__frames = 0;
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb) => {
        window.__frames += 1;
        return raf(cb);
      };
    });
  });

  after(async () => {
    if (browser) await browser.close();
  });

  it('an iframe scrolled out of its host\'s view stops, and resumes where it was', { timeout: STEP_TIMEOUT }, async () => {
    // A host page of the same origin (Chromium throttles only cross-origin frames by itself).
    await openApp(page, 'examples/embed.html');
    const src = new URL(`?embed=1&speed=${SPEED}&autoplay=1`, BASE_URL).href;
    await page.setContent(
      `<!doctype html><body><iframe id="embed" src="${src}" width="900" height="500"></iframe><div id="below"></div></body>`,
    );
    await page.evaluate(() => {
      document.getElementById('below').style.height = '4000px';
    });
    const frame = page.frameLocator('#embed');
    await frame.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await waitFor(page, 'the embed to play', () => {
      const el = document.querySelector('#embed').contentDocument.querySelector('input#timeline');
      return el && Number(el.value) > 2000;
    });

    await page.evaluate(() => window.scrollTo(0, 3000));
    await frame.locator('html[data-frames="stopped"]').waitFor({ state: 'attached' });
    const stopped = await probe(frame);
    await page.waitForTimeout(OBSERVE_MS);
    assert.deepEqual(await probe(frame), stopped, 'off screen: no frame requested, virtual time still');

    await page.evaluate(() => window.scrollTo(0, 0));
    await frame.locator('html:not([data-frames])').waitFor({ state: 'attached' });
    await waitFor(page, 'the embed to go on', (ms) => {
      const el = document.querySelector('#embed').contentDocument.querySelector('input#timeline');
      return Number(el.value) > ms;
    }, stopped.ms);
    const resumed = await probe(frame);
    assert.ok(
      resumed.ms - stopped.ms < (OBSERVE_MS * SPEED) / 3,
      `back in view it goes on from ${stopped.ms} ms, not from the wall time it missed (now ${resumed.ms} ms)`,
    );
    browser.assertNoErrors('off screen and back');
  });

  it('a page in a hidden tab stops, and resumes where it was', { timeout: STEP_TIMEOUT }, async () => {
    await openApp(page, `?reset=1&speed=${SPEED}`);
    await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
    await waitFor(page, 'the page to play', () => Number(document.querySelector('input#timeline').value) > 2000);
    // Headless Chromium never hides a tab: say it as the browser does, with the state and the event.
    const setHidden = (hidden) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await page.locator('html[data-frames="stopped"]').waitFor({ state: 'attached' });
    const stopped = await probe(page);
    await page.waitForTimeout(OBSERVE_MS);
    assert.deepEqual(await probe(page), stopped, 'hidden: no frame requested, virtual time still');

    await setHidden(false);
    await waitFor(page, 'the page to go on', (ms) => Number(document.querySelector('input#timeline').value) > ms, stopped.ms);
    const resumed = await probe(page);
    assert.ok(resumed.ms - stopped.ms < (OBSERVE_MS * SPEED) / 3, `resumes from ${stopped.ms} ms (now ${resumed.ms} ms)`);
    browser.assertNoErrors('hidden and back');
  });
});
