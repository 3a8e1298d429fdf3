// Frame profiler (not a test): where a frame's main-thread time goes, to decide what to make
// cheaper (issue 13's frame budget). Opens the served build like bench-frames.mjs, plays it, then
//   trace: records a Chrome trace (devtools.timeline) and prints, per animation frame, the main
//          thread's CPU time (thread time, so a busy shared machine inflates it less than wall time)
//          split into script (rAF callback: the model tick, Yew's view building and DOM patching),
//          style, layout, pre-paint, paint (with layerization) and commit: p50 / p95 / mean;
//   cpu:   records a CPU profile and prints self and total time by function (ms per second of wall
//          time). Wasm functions have names only in a build whose wasm keeps its name section
//          (wasm-opt -g).
//
//   BASE_URL=http://127.0.0.1:8080/ node tests/e2e/profile-frames.mjs NAME [SHARE_TEXT] [SECONDS] [trace|cpu]
//
// EXTRA_CSS adds a style sheet after load (to try a CSS change without a rebuild); OUT_DIR keeps
// the raw trace or profile.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_URL, CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browser.mjs';

const [name = 'default', share = '', secondsArg = '8', mode = 'trace'] = process.argv.slice(2);
const seconds = Number(secondsArg);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: !!process.env.EXTRA_CSS });
await page.goto(share ? `${BASE_URL}?s=${share}` : BASE_URL);
await page.locator('svg#cluster g.broker').first().waitFor({ state: 'attached', timeout: 60_000 });
if ((await page.getAttribute('#play', 'aria-pressed')) !== 'true') await page.click('#play');
if (process.env.EXTRA_CSS) await page.addStyleTag({ content: process.env.EXTRA_CSS });
await page.waitForTimeout(2000); // warm-up, not recorded
const cdp = await page.context().newCDPSession(page);
const keep = (file, data) => process.env.OUT_DIR && writeFileSync(path.join(process.env.OUT_DIR, file), JSON.stringify(data));
const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

if (mode === 'trace') {
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8'] },
    transferMode: 'ReportEvents',
  });
  await page.waitForTimeout(seconds * 1000); // the measuring window is wall-clock time by design
  await cdp.send('Tracing.end');
  await done;
  await browser.close();
  keep(`trace-${name}.json`, events);
  const thread = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const main = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X')
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  for (const e of main) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    e.kids = [];
    e.top = !stack.length;
    if (stack.length) stack.at(-1).kids.push(e);
    stack.push(e);
  }
  // Thread time (tdur) of the named events inside e, in ms.
  const within = (e, name) => {
    let t = 0;
    const go = (x) => (x.name === name ? (t += x.tdur ?? x.dur) : x.kids.forEach(go));
    go(e);
    return t / 1000;
  };
  const frames = main
    .filter((e) => e.top && within(e, 'FireAnimationFrame') > 0)
    .map((e) => ({
      total: (e.tdur ?? e.dur) / 1000,
      script: within(e, 'FireAnimationFrame'),
      style: within(e, 'UpdateLayoutTree'),
      layout: within(e, 'Layout'),
      prepaint: within(e, 'PrePaint'),
      paint: within(e, 'LocalFrameView::RunPaintLifecyclePhase'),
      commit: within(e, 'Commit'),
    }));
  const keys = Object.keys(frames[0]);
  console.log(`${name}: ${frames.length} frames, main-thread CPU ms per frame`);
  console.log('      ' + keys.map((k) => k.padStart(9)).join(''));
  for (const p of [50, 95]) console.log(`p${p}   ` + keys.map((k) => pct(frames.map((f) => f[k]), p).toFixed(2).padStart(9)).join(''));
  console.log('mean  ' + keys.map((k) => (frames.reduce((a, f) => a + f[k], 0) / frames.length).toFixed(2).padStart(9)).join(''));
} else {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  await browser.close();
  keep(`cpu-${name}.cpuprofile`, profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) || 0) + 1);
  const secs = (profile.endTime - profile.startTime) / 1e6;
  const ms = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const fname = (n) => (n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`).replace(/::h[0-9a-f]{16}$/, '');
  const selfBy = {};
  const totalBy = {};
  for (const [id, c] of counts) {
    selfBy[fname(byId.get(id))] = (selfBy[fname(byId.get(id))] || 0) + c;
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const f = fname(byId.get(x));
      if (!seen.has(f)) (seen.add(f), (totalBy[f] = (totalBy[f] || 0) + c));
    }
  }
  const show = (title, by, n) => {
    console.log(title);
    for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`  ${((v * ms) / secs).toFixed(2).padStart(8)}  ${k.slice(0, 150)}`);
    }
  };
  console.log(`${name}: ${profile.samples.length} samples in ${secs.toFixed(1)} s; ms per second of wall time`);
  show('self:', selfBy, 40);
  show('total:', totalBy, 60);
}
