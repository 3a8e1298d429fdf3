// Shared harness for the end-to-end tests: starts Debian's headless Chromium through playwright-core,
// opens the app and records every console error and uncaught page error, so a test can fail on them.
//
// This file is not a test (node --test only picks up *.test.mjs and friends); the tests import it.

import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** Where the app is served. scripts/test.sh sets it; the default is `scripts/serve.sh`'s address. */
export const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:8080/';

/** The system Chromium (apt package `chromium`); `npx playwright install` cannot work here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags for a root user on a machine whose network is closed: without the background-networking
 * ones Chromium keeps trying to reach Google's hosts. Playwright adds `--headless` itself.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Screenshots and other files for humans (gitignored). */
export const ARTIFACTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

/** Default time limit for anything the tests wait for (wall clock). */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS || 30_000);

/**
 * Launches Chromium with a fresh profile and opens one page (not yet navigated): a phone (touch,
 * mobile viewport) below 500 px wide, in the given colour scheme.
 * Returns { context, page, errors, assertNoErrors, screenshot, close }.
 */
export async function launch({ viewport = { width: 1400, height: 900 }, colorScheme = 'light' } = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'kafkascope-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    colorScheme,
    isMobile: viewport.width < 500,
    timeout: 60_000,
  });
  context.setDefaultTimeout(WAIT_MS);
  const page = context.pages()[0] ?? (await context.newPage());

  // Everything that counts as an error in the page, with enough context to debug from the test output.
  const errors = [];
  let reported = 0; // errors[..reported] have already failed an earlier assertNoErrors()
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      errors.push(`console.error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message || err}`));
  page.on('crash', () => errors.push('page crashed'));

  return {
    context,
    page,
    errors,
    /**
     * Throws when the page has logged an error since the last failed call (so that one error fails
     * one step, not every later one); with `all`, throws for any error of the whole run.
     */
    assertNoErrors(when = '', { all = false } = {}) {
      const fresh = errors.slice(all ? 0 : reported);
      reported = errors.length;
      if (fresh.length > 0) {
        throw new Error(`page reported ${fresh.length} error(s)${when ? ` ${when}` : ''}:\n  ${fresh.join('\n  ')}`);
      }
    },
    /** Saves a full-page PNG to tests/e2e/artifacts/NAME.png; never throws (it is for humans). */
    async screenshot(name) {
      try {
        await mkdir(ARTIFACTS_DIR, { recursive: true });
        const file = path.join(ARTIFACTS_DIR, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
        return file;
      } catch (err) {
        console.error(`screenshot ${name} failed: ${err.message}`);
        return null;
      }
    },
    async close() {
      await context.close().catch(() => {});
      await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/** Navigates to BASE_URL (plus an optional relative path) and waits for the page's load event. */
export async function openApp(page, relative = '') {
  const url = new URL(relative, BASE_URL).href;
  const response = await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
  if (!response || !response.ok()) {
    throw new Error(`GET ${url} answered ${response ? response.status() : 'nothing'}`);
  }
  return response;
}

/**
 * Polls (in the page, every 100 ms) until `fn(arg)` returns a truthy value, and returns that value.
 * On a timeout the error names `what` and, when given, the JSON of `state()` evaluated in the page,
 * so a failing test says what it was waiting for and what it saw instead.
 */
export async function waitFor(page, what, fn, arg, { timeout = WAIT_MS, state } = {}) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout, polling: 100 });
    return await handle.jsonValue();
  } catch (err) {
    let seen = '';
    if (state) {
      seen = await page
        .evaluate(state)
        .then((s) => `\n  page state: ${JSON.stringify(s)}`)
        .catch(() => '');
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}: ${err.message.split('\n')[0]}${seen}`);
  }
}

/** Opens the app (as `openApp`) and waits until the cluster picture has its brokers drawn. */
export async function openPicture(page, relative = '') {
  const response = await openApp(page, relative);
  await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached' });
  return response;
}

/** Moves the speed slider to its maximum (the fastest virtual time the page offers). */
export const fullSpeed = (page) =>
  page.locator('input#speed').evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });

/** Clicks a drawn thing (a CSS selector) and then the action `action` of the menu it opens. */
export async function menuAction(page, target, action) {
  await page.locator(target).click();
  await page.locator(`.action-menu button[data-action="${action}"]`).click();
}

/**
 * Opens the side drawer on a tab (`tours`, `console`, `configure`, `ledger`, `events`, `inspect`,
 * `help`); does nothing when that tab is already on show. On a phone the tabs are at the bottom.
 */
export async function openTab(page, tab) {
  // Wait for the app's first render before reading the tab's state: right after a reload the
  // tabs are not drawn yet, and a click then would close a drawer the saved prefs reopen.
  const button = page.locator(`#drawer-tab-${tab}:visible`).first();
  await button.waitFor({ state: 'visible' });
  if ((await button.getAttribute('aria-selected')) !== 'true') {
    await button.click();
  }
  await page.locator(`#panel-${tab}`).waitFor({ state: 'visible' });
}

/** Opens the More menu (share, embed, new session, exports, compare, theme) if it is closed. */
export async function openMore(page) {
  if (!(await page.locator('#more-menu').isVisible().catch(() => false))) {
    await page.locator('#more').click();
  }
  await page.locator('#more-menu').waitFor({ state: 'visible' });
}

/** Types one command line into the console (opening its tab) and runs it. */
export async function typeCommand(page, line) {
  await openTab(page, 'console');
  await page.locator('#console-input').fill(line);
  await page.locator('#console-input').press('Enter');
}

/** The console's text (its tab is opened first). */
export async function consoleText(page) {
  await openTab(page, 'console');
  return page.locator('.console-log').textContent();
}

/** The narration's text (the Events tab is opened first). */
export async function narrationText(page) {
  await openTab(page, 'events');
  return page.locator('.narration').textContent();
}
