/**
 * Registers the hand-written service worker (public/sw.js) so the app shell opens offline, and
 * hands it the same-origin URLs this page loaded before the worker controlled it (the first
 * visit's modules). `<html data-offline-ready>` is set once they are cached.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(
    async () => {
      const ready = await navigator.serviceWorker.ready;
      const loaded = performance.getEntriesByType('resource').map((e) => e.name);
      const urls = [...new Set([location.href, ...loaded])].filter((u) => new URL(u).origin === location.origin);
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        document.documentElement.dataset['offlineReady'] = '1';
        channel.port1.close();
      };
      ready.active?.postMessage({ warm: urls }, [channel.port2]);
    },
    // Not fatal: the app works online without it.
    (e: unknown) => console.warn('service worker not registered', e),
  );
}
