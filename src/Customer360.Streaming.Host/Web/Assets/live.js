// Keeps each [data-live] part of a page current: the server renders it and sends it as a server-sent event whenever
// it changes; this puts it in place. The HTML is rendered and encoded by the server. No framework, no third party.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  for (const region of document.querySelectorAll('[data-live]')) {
    const source = new EventSource(region.dataset.live);
    source.onmessage = (message) => {
      region.innerHTML = message.data;
      region.classList.remove('stale');
      region.dataset.updates = String(Number(region.dataset.updates || '0') + 1);
    };
    // EventSource reconnects by itself; until it does, say that what is shown may be old.
    source.onerror = () => region.classList.add('stale');
  }
});
