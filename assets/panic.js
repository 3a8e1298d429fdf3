// The panic panel, in plain JavaScript, so that it can be drawn when the wasm instance is dead.
//
// A Rust panic, a wasm trap (`RuntimeError: unreachable`, `memory access out of bounds`) and an
// out-of-memory abort all end the app; none may leave a frozen page. The app hands this file the
// latest report about once a second (`remember`, from src/panic.rs): the seed, cluster size and
// command log as text, a link that replays the session, and where Reset goes. When the app dies,
// the panel is built from that copy with DOM calls only (every text is a text node), no wasm:
//   - a Rust panic: the panic hook (src/panic.rs) calls `show` with the panic message;
//   - a trap or an abort: the browser reports an uncaught error or rejection from the instance,
//     which the global handlers below turn into the panel.
// Loaded as a classic script before the wasm (index.html), so the handlers are in place from the
// start. The page's CSP allows it: it is a file of this origin, not an inline script.
(() => {
  'use strict';
  let last = null; // { summary, report, link, reset, origin }

  const isWasmDeath = (err, message) => {
    if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError) return true;
    const text = `${message || ''} ${err && err.message ? err.message : ''}`;
    // Out of memory: Memory.grow refused, or an allocation that failed and aborted.
    return /unreachable|memory access out of bounds|out of memory|Maximum memory size|Memory\.grow|wasm/i.test(text);
  };

  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const notifyHost = (message) => {
    if (!last || !last.origin || window.parent === window) return;
    try {
      window.parent.postMessage({ type: 'kafkascope:panic', message }, last.origin);
    } catch (_) {
      // The host went away or the origin is wrong: nothing to tell.
    }
  };

  const show = (message) => {
    if (document.getElementById('panic-panel') || !document.body) return; // keep the first report
    const panel = el('div', 'panic-panel');
    panel.id = 'panic-panel';
    panel.setAttribute('role', 'alert');
    panel.append(
      el('h2', '', 'kafkascope hit an internal error and stopped'),
      el(
        'p',
        '',
        'This is a bug in kafkascope, not in your session. Please report it with the details below: the seed and command log replay it exactly.',
      ),
      el('pre', 'panic-message', message),
    );
    if (last) {
      panel.append(el('p', 'panic-summary', last.summary));
      const area = el('textarea', 'panic-trace');
      area.id = 'panic-trace';
      area.readOnly = true;
      area.rows = 8;
      area.setAttribute('aria-label', 'Seed and command log (JSON)');
      area.value = last.report;
      panel.append(area);
      const p = el('p', 'panic-replay', 'A link that replays the session up to the error: ');
      const input = el('input');
      input.id = 'panic-link';
      input.readOnly = true;
      input.value = last.link;
      p.append(input);
      panel.append(p);
    } else {
      panel.append(el('p', 'panic-summary', 'The error happened before the session started.'));
    }
    const actions = el('p', 'panic-actions');
    const reset = el('a', 'button', 'Reset: start a fresh session');
    reset.id = 'panic-reset';
    reset.href = last ? last.reset : '?reset=1';
    actions.append(reset);
    panel.append(actions);
    document.body.classList.add('panicked');
    document.body.prepend(panel);
    notifyHost(message);
  };

  window.kafkascopePanel = {
    remember: (state) => {
      last = state;
    },
    show,
  };
  window.addEventListener('error', (e) => {
    if (isWasmDeath(e.error, e.message)) show(`${e.message || e.error}`);
  });
  window.addEventListener('unhandledrejection', (e) => {
    if (isWasmDeath(e.reason, '')) show(`Uncaught (in promise) ${e.reason}`);
  });
})();
