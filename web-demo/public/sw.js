// Kith's service worker (hand-written, ADR 0024 § offline): the app shell opens without a network.
// Same-origin GETs go to the network first and are kept in one cache; when the network fails,
// the cached copy answers (a navigation falls back to the cached page whatever its query). The
// relay is another origin and is never touched: messages and keys stay in IndexedDB, not here.
// The page posts the URLs it loaded before this worker controlled it ({ warm: [...] }), so the
// first visit is enough; the answer on the message's port says they are cached.
const CACHE = 'kith-shell-v1';

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

const sameOrigin = (url) => new URL(url).origin === self.location.origin;

self.addEventListener('message', (event) => {
  const urls = Array.isArray(event.data?.warm) ? event.data.warm.filter((u) => typeof u === 'string' && sameOrigin(u)) : [];
  const port = event.ports[0];
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      let cached = 0;
      for (const url of urls) {
        if (await cache.match(url, { ignoreVary: true })) continue;
        try {
          const res = await fetch(url, { cache: 'no-store' });
          if (res.ok) {
            await cache.put(url, res);
            cached++;
          }
        } catch {
          // Offline already: nothing to keep.
        }
      }
      port?.postMessage({ cached, of: urls.length });
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || !sameOrigin(req.url) || req.headers.has('range')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok && res.type === 'basic') await cache.put(req, res.clone());
        return res;
      } catch (error) {
        // ignoreVary: a module script's request carries Origin, the warm-up's did not.
        const hit = (await cache.match(req, { ignoreVary: true })) ?? (req.mode === 'navigate' ? await cache.match(req, { ignoreSearch: true, ignoreVary: true }) : undefined);
        if (hit !== undefined) return hit;
        throw error;
      }
    })(),
  );
});
