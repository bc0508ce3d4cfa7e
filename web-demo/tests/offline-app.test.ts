import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_ERRORS, launchBrowser, newUser, screenshot, startDemo, startRelay, type Demo, type Relay } from './harness.js';
import { acceptContact, openChatWith, requestContact, send, signUp } from './flows.js';

type Spied = { shownNotifications: Array<[string, string]>; permissionAsked: number };

// The demo as an installable app: a manifest, a service worker that opens the shell offline,
// and system notifications while the tab is hidden.
describe('the demo as an installable app', () => {
  let relay: Relay;
  let demo: Demo;
  let chrome: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    relay = await startRelay();
    demo = await startDemo(relay.url);
    chrome = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
    await relay?.close();
  });

  it('after one visit the app shell opens offline (service worker), and the manifest names the app', async () => {
    const ana = await newUser(chrome.browser, demo);
    const manifest = await ana.page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')?.href ?? '';
      return (await fetch(href)).json() as Promise<{ name: string; display: string; start_url: string; icons: unknown[] }>;
    });
    expect(manifest).toMatchObject({ name: 'Kith', display: 'standalone', start_url: './' });
    expect(manifest.icons.length).toBeGreaterThan(0);
    await ana.page.locator('html[data-offline-ready="1"]').waitFor();
    await signUp(ana.page, 'ana', 'Ana');
    ana.allow(...OFFLINE_ERRORS);
    await ana.context.setOffline(true);
    await ana.page.reload();
    // Served by the worker from its cache: the signed-in shell, from IndexedDB, says it is offline.
    await ana.page.getByRole('tab', { name: 'Chats' }).waitFor();
    await ana.page.locator('#sync-banner', { hasText: 'You are offline' }).waitFor();
    const controlled = await ana.page.evaluate(() => navigator.serviceWorker.controller !== null);
    await screenshot(ana.page, 'offline-shell');
    expect(controlled).toBe(true);
    await ana.context.setOffline(false);
    await ana.page.locator('#sync-banner').waitFor({ state: 'hidden' });
    await ana.context.close();
  });

  it('a new message while the tab is hidden shows a system notification (permission granted); the permission is never asked on load', async () => {
    const spy = () => {
      const Real = globalThis.Notification;
      const w = globalThis as unknown as Spied;
      w.shownNotifications = [];
      w.permissionAsked = 0;
      class Spy extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.shownNotifications.push([title, options?.body ?? '']);
        }
        static override requestPermission(): Promise<NotificationPermission> {
          w.permissionAsked++;
          return Real.requestPermission();
        }
      }
      Object.assign(globalThis, { Notification: Spy });
    };
    const ben = await newUser(chrome.browser, demo);
    const cleo = await newUser(chrome.browser, demo);
    await signUp(ben.page, 'ben', 'Ben');
    await signUp(cleo.page, 'cleo', 'Cleo');
    // Before Ben allows anything: the button is there, nothing was asked on load; a click asks.
    await ben.context.addInitScript(spy);
    await ben.page.reload();
    const enable = ben.page.getByRole('button', { name: 'Enable notifications' });
    await enable.waitFor();
    expect(await ben.page.evaluate(() => (globalThis as unknown as Spied).permissionAsked)).toBe(0);
    await enable.click();
    await ben.page.waitForFunction(() => (globalThis as unknown as Spied).permissionAsked === 1);
    // Ben allows notifications (Playwright's grant, as the browser's prompt would).
    await ben.context.grantPermissions(['notifications'], { origin: new URL(demo.url).origin });
    await ben.page.reload();
    await ben.page.getByRole('tab', { name: 'Chats' }).waitFor();
    expect(await enable.count()).toBe(0);
    await requestContact(cleo.page, 'ben');
    await acceptContact(ben.page, 'cleo');
    await cleo.page.locator('[data-contact="ben"]').getByRole('button', { name: 'Message' }).click();
    await send(cleo.page, 'visible tab: no notification');
    await openChatWith(ben.page, 'Cleo');
    await ben.page.locator('.msg', { hasText: 'visible tab: no notification' }).waitFor();
    await ben.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await send(cleo.page, 'hidden tab: notify me');
    await ben.page.waitForFunction(() => (globalThis as unknown as Spied).shownNotifications.length > 0);
    const shown = await ben.page.evaluate(() => (globalThis as unknown as Spied).shownNotifications);
    console.log(`notifications (real Notification, permission granted): ${JSON.stringify(shown)}`);
    expect(shown).toEqual([['Cleo', 'hidden tab: notify me']]);
    expect(await ben.page.evaluate(() => (globalThis as unknown as Spied).permissionAsked)).toBe(0);
    await ben.context.close();
    await cleo.context.close();
  });
});
