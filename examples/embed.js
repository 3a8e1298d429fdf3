// The host side of kafkascope's postMessage API (docs/embedding.md), as a copy-paste example.
// Each <section class="embed" data-scenario="..."> gets an iframe running that scenario; the form
// sends a command, and every message from the iframe is listed under it (as text, never markup).

// The app is served one directory up (dist/examples/embed.html next to dist/index.html).
const APP_URL = new URL('../', location.href);

const sessions = [...document.querySelectorAll('section.embed')].map((section) => {
  const frame = section.querySelector('iframe');
  const log = section.querySelector('.log');
  const url = new URL(APP_URL);
  url.searchParams.set('embed', '1');
  url.searchParams.set('scenario', section.dataset.scenario);
  url.searchParams.set('speed', section.dataset.speed || '2');
  // Only this page's origin may drive the iframe, and it only answers to this origin.
  url.searchParams.set('origin', location.origin);
  frame.src = url.href;
  let nextId = 1;
  section.querySelector('form.send').addEventListener('submit', (e) => {
    e.preventDefault();
    const command = e.target.elements.command.value;
    // A sandboxed iframe has an opaque origin, so the target origin must be '*'; the message
    // goes to that one window only.
    frame.contentWindow.postMessage({ type: 'kafkascope:command', id: nextId++, command }, '*');
  });
  return { frame, log };
});

function append(log, attrs, text) {
  const li = document.createElement('li');
  for (const [k, v] of Object.entries(attrs)) li.dataset[k] = String(v);
  li.textContent = text;
  log.prepend(li);
  while (log.children.length > 200) log.lastElementChild.remove();
}

window.addEventListener('message', (e) => {
  // A sandboxed iframe's messages come from origin "null": recognise it by its window instead.
  const session = sessions.find((s) => s.frame.contentWindow === e.source);
  const data = e.data;
  if (!session || !data || typeof data.type !== 'string' || !data.type.startsWith('kafkascope:')) return;
  switch (data.type) {
    case 'kafkascope:ready':
      append(session.log, { type: 'ready' }, `ready: scenario ${data.scenario}, seed ${data.seed}`);
      break;
    case 'kafkascope:result':
      append(session.log, { type: 'result', ok: data.ok, id: data.id ?? '' },
        `${data.ok ? '✓' : '✗'} ${data.command ?? ''}\n${(data.lines || []).join('\n')}`);
      break;
    case 'kafkascope:event':
      append(session.log, { type: 'event', event: data.event }, `[${(data.at_ms / 1000).toFixed(3)} s] ${data.event}: ${data.text}`);
      break;
    case 'kafkascope:panic':
      append(session.log, { type: 'panic' }, `the session stopped: ${data.message}`);
      break;
  }
});
