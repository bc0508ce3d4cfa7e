import { relayUrl } from './config.js';
import { clear, h } from './dom.js';
import type { ClientFactory, DemoClient } from './adapters/client.js';
import { hasSavedAccount, loadClientFactory } from './adapters/load-client-factory.js';
import { renderAuth } from './ui/auth-view.js';
import { mountApp } from './ui/app-view.js';

const root = document.getElementById('app');
if (root === null) throw new Error('no #app element');

async function boot(): Promise<void> {
  const start = (client: DemoClient): void => mountApp(root!, client, () => void boot());
  // The SDK (wasm crypto, CRDTs, IndexedDB) loads on demand: the sign-in screen shows at once.
  let loading: Promise<ClientFactory> | undefined;
  const factory = (): Promise<ClientFactory> => (loading ??= loadClientFactory());
  if (hasSavedAccount()) {
    clear(root!, h('p', { class: 'splash', role: 'status' }, 'Opening Kith…'));
    try {
      const resumed = await (await factory()).resume(relayUrl());
      if (resumed !== null) return start(resumed);
    } catch (e) {
      clear(root!, h('div', { class: 'fatal', role: 'alert' }, h('h1', {}, 'Kith could not open your account'), h('p', {}, e instanceof Error ? e.message : '')));
      return;
    }
  }
  renderAuth(root!, factory, relayUrl(), start);
}

void boot();
