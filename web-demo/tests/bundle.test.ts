import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newUser, screenshot, startBuiltDemo, startRelay, type Demo, type Relay } from './harness.js';
import { acceptContact, message, openChatWith, requestContact, send, signUp } from './flows.js';

// The production bundle (vite build, served statically by vite preview), not the dev server:
// minified chunks, the lazily loaded SDK, the wasm crypto and the decode worker's own bundle.
describe('the production bundle against a real relay', () => {
  let relay: Relay;
  let demo: Demo & { buildMs: number };
  let chrome: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    relay = await startRelay();
    demo = await startBuiltDemo(relay.url);
    chrome = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
    await relay?.close();
  });

  it('signs up two people who exchange a message each way', async () => {
    const erin = await newUser(chrome.browser, demo);
    const finn = await newUser(chrome.browser, demo);
    await signUp(erin.page, 'erin', 'Erin');
    await signUp(finn.page, 'finn', 'Finn');
    await requestContact(erin.page, 'finn');
    await acceptContact(finn.page, 'erin');
    await finn.page.locator('[data-contact="erin"]').getByRole('button', { name: 'Message' }).click();
    await send(finn.page, 'Hello from the built bundle');
    await openChatWith(erin.page, 'Finn');
    await message(erin.page, 'Hello from the built bundle').waitFor();
    await send(erin.page, 'Received, loud and clear');
    await message(finn.page, 'Received, loud and clear').waitFor();
    await message(finn.page, 'Hello from the built bundle').locator('[data-tick="read"]').waitFor();
    // Served from the build: hashed asset names, no Vite dev client, the worker vetted Finn's updates.
    const scripts = await erin.page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.endsWith('.js')));
    const vetted = await erin.page.evaluate(() => (globalThis as unknown as { kithDemoStats: () => { sandbox: { checked: number; quarantined: number } } }).kithDemoStats().sandbox);
    await screenshot(erin.page, 'bundle-conversation');
    console.log(`bundle: vite build ${demo.buildMs} ms; ${scripts.length} scripts loaded (${scripts.filter((p) => p.startsWith('/assets/')).length} from /assets); sandbox vetted ${vetted.checked}, quarantined ${vetted.quarantined}; one message each way, read`);
    expect(scripts.some((p) => p.includes('@vite/client'))).toBe(false);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((p) => p.startsWith('/assets/'))).toBe(true);
    expect(vetted.checked).toBeGreaterThan(0);
    expect(vetted.quarantined).toBe(0);
    expect([...erin.errors, ...finn.errors]).toEqual([]);
  });

  it('links a web app manifest the browser can read', async () => {
    const ivy = await newUser(chrome.browser, demo);
    const manifest = await ivy.page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')?.href;
      return href === undefined ? null : ((await (await fetch(href)).json()) as { name: string; display: string; start_url: string });
    });
    console.log(`manifest: ${JSON.stringify(manifest)}`);
    expect(manifest).toEqual(expect.objectContaining({ name: 'Kith', display: 'standalone', start_url: './' }));
    expect(ivy.errors).toEqual([]);
    await ivy.context.close();
  });
});
