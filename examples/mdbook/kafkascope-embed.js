// kafkascope embeds in an mdBook (or any page): for each <iframe class="kafkascope"> whose URL has
// `origin=parent` (the postMessage API, scoped to the page that frames it), sizes the iframe to
// the height it asks for (kafkascope:size) and gives it the book's colours (kafkascope:theme),
// when it is ready and whenever the reader changes theme. Without this script the iframes still
// work, at their own height and in the reader's system colours.
(function () {
  'use strict';
  const DARK = ['coal', 'navy', 'ayu'];
  const theme = () => (DARK.some((t) => document.documentElement.classList.contains(t)) ? 'dark' : 'light');
  const frames = () => Array.from(document.querySelectorAll('iframe.kafkascope'));
  const tell = (f) => f.contentWindow?.postMessage({ type: 'kafkascope:theme', theme: theme() }, '*');
  window.addEventListener('message', (e) => {
    const f = frames().find((x) => x.contentWindow === e.source);
    if (!f || !e.data || typeof e.data.type !== 'string') return;
    if (e.data.type === 'kafkascope:ready') tell(f);
    if (e.data.type === 'kafkascope:size') f.style.height = `${e.data.height}px`;
  });
  new MutationObserver(() => frames().forEach(tell))
    .observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
})();
