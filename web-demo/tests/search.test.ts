import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newUser, screenshot, startDemo, startRelay, type Demo, type Relay } from './harness.js';
import { acceptContact, message, signUp } from './flows.js';
import { startNodePeer, type NodePeer } from './node-peer.js';
import { overlappingControls } from './layout.js';

/**
 * Search (issue 17 item 3, ADR 0028): the box above the chat list narrows the chats by name and
 * lists the messages that match, through the SDK's search over the projection; a result opens
 * its conversation at the message, even one older than the first page.
 */
describe('search chats and messages', () => {
  let relay: Relay;
  let demo: Demo;
  let chrome: Awaited<ReturnType<typeof launchBrowser>>;
  let dave: NodePeer | undefined;
  let erin: NodePeer | undefined;
  beforeAll(async () => {
    relay = await startRelay();
    demo = await startDemo(relay.url);
    chrome = await launchBrowser();
  });
  afterAll(async () => {
    await dave?.close();
    await erin?.close();
    await chrome?.close();
    await demo?.close();
    await relay?.close();
  });

  it('filters chats by name, finds a message 60 back, highlights it, opens the chat at it; an edit stops it matching', async () => {
    const alice = await newUser(chrome.browser, demo);
    await signUp(alice.page, 'alice', 'Alice');
    // Two Node devices (same SDK, real relay) fill the chats faster than typing would.
    dave = await startNodePeer(relay.url, 'dave', 'Dave');
    erin = await startNodePeer(relay.url, 'erin', 'Erin');
    const aliceId = await dave.lookup('alice');
    await dave.kith.contacts.request(aliceId);
    await erin.kith.contacts.request(await erin.lookup('alice'));
    const direct = await dave.kith.conversations.openDirect(aliceId);
    const withErin = await erin.kith.conversations.openDirect(await erin.lookup('alice'));
    await acceptContact(alice.page, 'dave');
    await acceptContact(alice.page, 'erin');
    const hit = await dave.kith.messages.send(direct.id, 'The Zéphyrine tickets are in the blue folder');
    for (let i = 1; i <= 60; i++) await dave.kith.messages.send(direct.id, `update ${i} of 60`);
    await erin.kith.messages.send(withErin.id, 'lunch at noon? zephyr café');
    await alice.page.getByRole('tab', { name: 'Chats' }).click();
    await alice.page.locator('.chat-item', { hasText: 'Dave' }).locator('[data-unread="61"]').waitFor({ timeout: 45_000 });
    await alice.page.locator('.chat-item', { hasText: 'Erin' }).locator('[data-unread="1"]').waitFor({ timeout: 45_000 });

    const box = alice.page.getByLabel('Search chats and messages');
    const chatNames = () => alice.page.getByRole('list', { name: 'Chats' }).locator('.chat-name').allTextContents();
    // Chats by name (folded: "DAV" finds Dave).
    await box.fill('DAV');
    await alice.page.getByRole('list', { name: 'Message results' }).or(alice.page.getByText('No messages found.')).waitFor();
    await expect.poll(chatNames).toEqual(['Dave']);
    await box.fill('nobody');
    await alice.page.getByText('No chats match.').waitFor();

    // Messages, newest first, in both chats; the snippet marks the match.
    await box.fill('zephyr');
    const results = alice.page.getByRole('list', { name: 'Message results' }).locator('[data-result]');
    await expect.poll(() => results.count()).toBe(2);
    const first = results.nth(0);
    const second = results.nth(1);
    expect(await first.locator('.chat-name').textContent()).toBe('Erin');
    expect(await second.locator('.chat-name').textContent()).toBe('Dave');
    expect(await second.locator('mark').allTextContents()).toEqual(['Zéphyr']);
    expect(await first.locator('mark').allTextContents()).toEqual(['zephyr']);
    await screenshot(alice.page, 'search-results');

    // Opening the older result loads earlier pages until the message is there, then shows it.
    await second.click();
    await alice.page.locator('#conv-name', { hasText: 'Dave' }).waitFor();
    const target = alice.page.locator(`.msg[data-id="${hit.id}"]`);
    await target.and(alice.page.locator('[data-search-hit]')).waitFor({ timeout: 20_000 });
    // In view inside the message list (not just rendered), and it stays there.
    const inView = () =>
      target.evaluate((el) => {
        const list = el.closest('.messages')!.getBoundingClientRect();
        const at = el.getBoundingClientRect();
        return at.top >= list.top && at.bottom <= list.bottom;
      });
    await expect.poll(inView).toBe(true);
    await alice.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await inView()).toBe(true);
    expect(await target.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await alice.page.locator('.msg').count()).toBeGreaterThan(30); // beyond the first page
    await screenshot(alice.page, 'search-opened');

    // Edited away: the result goes (the search re-runs on the change).
    await dave.kith.messages.edit(direct.id, hit.id, 'The tickets are in the blue folder');
    await message(alice.page, 'The tickets are in the blue folder').waitFor();
    await expect.poll(() => results.count(), { timeout: 20_000 }).toBe(1);
    expect(await results.nth(0).locator('.chat-name').textContent()).toBe('Erin');

    // On a phone the search box and results fit without any control overlapping another.
    await alice.page.setViewportSize({ width: 390, height: 844 });
    await alice.page.getByRole('button', { name: 'Back to chats' }).click();
    await box.fill('zephyr dav');
    await box.fill('zephyr');
    await expect.poll(() => results.count()).toBe(1);
    expect(await overlappingControls(alice.page)).toEqual([]);
    await screenshot(alice.page, 'search-phone');
    expect(alice.errors).toEqual([]);
  }, 150_000);
});
