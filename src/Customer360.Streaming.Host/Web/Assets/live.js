// Keeps each [data-live] part of a page current: the server renders it and sends it as a server-sent event whenever
// it changes; this puts it in place. The HTML is rendered and encoded by the server. No framework, no third party.
'use strict';

// How long to wait before asking again for a stream the server refused (too many pages live at once).
const refusedRetryMs = 30000;

function follow(region) {
  const source = new EventSource(region.dataset.live);
  source.onmessage = (message) => {
    region.innerHTML = message.data;
    region.classList.remove('stale');
    region.dataset.updates = String(Number(region.dataset.updates || '0') + 1);
  };
  // EventSource reconnects by itself after a lost connection, but not after a refusal, which closes it; either way,
  // say that what is shown may be old.
  source.onerror = () => {
    region.classList.add('stale');
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(() => follow(region), refusedRetryMs);
    }
  };
}

document.addEventListener('DOMContentLoaded', () => {
  for (const region of document.querySelectorAll('[data-live]')) {
    follow(region);
  }
});
