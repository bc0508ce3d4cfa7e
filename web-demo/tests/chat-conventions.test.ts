import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newUser, screenshot, startDemo, startRelay, type Demo, type Relay } from './harness.js';
import { overlappingControls } from './layout.js';
import { acceptContact, message, openChatWith, requestContact, send, signUp } from './flows.js';

// The conventions of WhatsApp Web / Signal Desktop that issue 17 found missing, one test each.
describe('the conventions people expect from a messenger', () => {
  let relay: Relay;
  let demo: Demo;
  let chrome: Awaited<ReturnType<typeof launchBrowser>>;
  let alice: Awaited<ReturnType<typeof newUser>>;
  let bob: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    relay = await startRelay();
    demo = await startDemo(relay.url);
    chrome = await launchBrowser();
    [alice, bob] = [await newUser(chrome.browser, demo), await newUser(chrome.browser, demo)];
    await signUp(alice.page, 'alice', 'Alice');
    await signUp(bob.page, 'bob', 'Bob');
    await requestContact(alice.page, 'bob');
    await acceptContact(bob.page, 'alice');
  }, 120_000);
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
    await relay?.close();
  });

  it('"New chat" lists my contacts and picking one opens the direct chat', async () => {
    await alice.page.getByRole('tab', { name: 'Chats' }).click();
    await alice.page.getByRole('button', { name: 'New chat' }).click();
    const picker = alice.page.getByRole('group', { name: 'Start a chat with' });
    await picker.locator('[data-new-chat="bob"]').waitFor();
    await screenshot(alice.page, 'new-chat');
    await picker.locator('[data-new-chat="bob"]').click();
    await alice.page.locator('#conv-name', { hasText: 'Bob' }).waitFor();
    await picker.waitFor({ state: 'detached' });
    await send(alice.page, 'started from New chat');
    await openChatWith(bob.page, 'Alice');
    await message(bob.page, 'started from New chat').waitFor();
  });

  it('delete for everyone asks first; delete for me hides a message on my side only, also after a reload', async () => {
    await send(bob.page, 'a message Alice will hide');
    await send(bob.page, 'a message Bob takes back');
    const hidden = message(alice.page, 'a message Alice will hide');
    await message(alice.page, 'a message Bob takes back').waitFor();
    // Delete for everyone: Cancel keeps it; confirming removes it on both sides.
    const mine = message(bob.page, 'a message Bob takes back');
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Delete message?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await mine.count()).toBe(1);
    await mine.hover();
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await screenshot(bob.page, 'delete-dialog');
    await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
    await alice.page.locator('.msg.deleted', { hasText: 'This message was deleted' }).waitFor();
    // Delete for me: a message of someone else's offers no "for everyone".
    await hidden.hover();
    await hidden.getByRole('button', { name: 'Delete', exact: true }).click();
    const aliceDialog = alice.page.getByRole('dialog', { name: 'Delete message?' });
    expect(await aliceDialog.getByRole('button', { name: 'Delete for everyone' }).count()).toBe(0);
    await aliceDialog.getByRole('button', { name: 'Delete for me' }).click();
    await hidden.waitFor({ state: 'detached' });
    await alice.page.reload();
    await openChatWith(alice.page, 'Bob');
    await message(alice.page, 'started from New chat').waitFor();
    expect(await hidden.count()).toBe(0);
    expect(await message(bob.page, 'a message Alice will hide').count()).toBe(1);
  });

  it('a call nobody answered shows as "Missed voice call" in the chat list', async () => {
    await openChatWith(alice.page, 'Bob');
    await bob.page.getByRole('tab', { name: 'Chats' }).click();
    await alice.page.getByRole('button', { name: 'Voice call' }).click();
    await bob.page.getByRole('dialog').getByRole('button', { name: 'Decline' }).waitFor();
    await alice.page.getByRole('dialog').getByRole('button', { name: 'Hang up' }).click();
    const preview = bob.page.locator('.chat-item', { has: bob.page.locator('.chat-name', { hasText: 'Alice' }) }).locator('.chat-preview');
    await preview.filter({ hasText: 'Missed voice call' }).waitFor();
    await screenshot(bob.page, 'chat-list-missed-call');
    // A message after it is the preview again.
    await send(alice.page, 'sorry, wrong button');
    await preview.filter({ hasText: 'sorry, wrong button' }).waitFor();
  });

  it('a downloaded file shows a progress bar of the bytes received', async () => {
    await openChatWith(bob.page, 'Alice');
    const name = 'report.bin';
    await bob.page.locator('#attach').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: randomBytes(1_500_000) });
    await bob.page.locator(`a[data-attachment="${name}"]`).waitFor();
    const link = alice.page.locator(`a[data-attachment="${name}"]`);
    await link.waitFor();
    // Throttled to 1 MB/s (on loopback the download would be one step).
    const cdp = await alice.context.newCDPSession(alice.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 1024 * 1024, uploadThroughput: -1 });
    await alice.page.evaluate((n) => {
      const seen: Array<[number, number]> = [];
      (globalThis as unknown as { downloadSeen: typeof seen }).downloadSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>(`[data-download="${n}"] progress`);
        if (bar !== null && seen.at(-1)?.[0] !== bar.value) seen.push([bar.value, bar.max]);
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    }, name);
    await link.click();
    await alice.page.locator(`[data-download="${name}"]`).waitFor();
    await alice.page.locator(`[data-download="${name}"]`).waitFor({ state: 'detached', timeout: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    const seen = await alice.page.evaluate(() => (globalThis as unknown as { downloadSeen: Array<[number, number]> }).downloadSeen);
    console.log(`download: ${seen.length} steps, ${JSON.stringify(seen.slice(0, 3))} … ${JSON.stringify(seen.at(-1))}`);
    expect(await link.getAttribute('href')).toMatch(/^blob:/);
    const between = seen.filter(([v, max]) => v > 0 && v < max);
    expect(between.length).toBeGreaterThan(0);
    expect(seen.every((s, i) => i === 0 || s[0] >= seen[i - 1]![0])).toBe(true);
    expect(seen.at(-1)?.[1]).toBeGreaterThanOrEqual(1_500_000);
  });

  it('on a 390×844 phone the new controls overlap nothing: New chat and its picker, the delete dialog', async () => {
    const phone = bob.page;
    await phone.setViewportSize({ width: 390, height: 844 });
    const found: Record<string, string[]> = {};
    const back = phone.getByRole('button', { name: 'Back to chats' });
    if (await back.isVisible()) await back.click();
    await phone.getByRole('tab', { name: 'Chats' }).click();
    await phone.getByRole('button', { name: 'New chat' }).click();
    await phone.locator('[data-new-chat="alice"]').waitFor();
    found['new chat picker'] = await overlappingControls(phone);
    await screenshot(phone, 'new-chat-phone');
    await phone.getByRole('group', { name: 'Start a chat with' }).getByRole('button', { name: 'Cancel' }).click();
    found['chat list'] = await overlappingControls(phone);
    await openChatWith(phone, 'Alice');
    found['conversation'] = await overlappingControls(phone);
    const last = message(phone, 'sorry, wrong button');
    await last.click();
    await last.getByRole('button', { name: 'Delete', exact: true }).click();
    await phone.getByRole('dialog', { name: 'Delete message?' }).waitFor();
    found['delete dialog'] = await overlappingControls(phone);
    await phone.getByRole('dialog', { name: 'Delete message?' }).getByRole('button', { name: 'Cancel' }).click();
    console.log(`phone (new controls): overlaps ${JSON.stringify(found)}`);
    expect(found).toEqual({ 'new chat picker': [], 'chat list': [], conversation: [], 'delete dialog': [] });
    await phone.setViewportSize({ width: 1100, height: 760 });
  });
});
