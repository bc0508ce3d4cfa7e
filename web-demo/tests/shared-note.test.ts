import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newUser, screenshot, startDemo, startRelay, type Demo, type Relay } from './harness.js';
import { overlappingControls } from './layout.js';
import { acceptContact, openChatWith, requestContact, signUp } from './flows.js';

const noteOf = (page: Page) => page.getByRole('textbox', { name: 'Shared note' });
const noteText = (page: Page): Promise<string> => noteOf(page).inputValue();

// Issue 18 § demo: each conversation has a shared note (a Y.Text through kith.docs.open), edited
// together, with the other members' cursors.
describe('a shared note in a conversation', () => {
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
    await alice.page.locator('[data-contact="bob"]').getByRole('button', { name: 'Message' }).click();
    await bob.page.locator('[data-contact="alice"]').getByRole('button', { name: 'Message' }).click();
  }, 120_000);
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
    await relay?.close();
  });

  it('two people type into the note at once: both see the merged text and the other one\'s cursor', async () => {
    for (const p of [alice.page, bob.page]) {
      await p.getByRole('button', { name: 'Shared note' }).click();
      await noteOf(p).waitFor();
    }
    await noteOf(alice.page).click();
    await alice.page.keyboard.type('Shopping list: ');
    await bob.page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#note-text')?.value === 'Shopping list: ');
    // Bob writes at the end while Alice writes at the start, at the same time.
    await noteOf(bob.page).click();
    await bob.page.keyboard.press('Control+End');
    await alice.page.keyboard.press('Control+Home');
    await Promise.all([alice.page.keyboard.type('TODAY '), bob.page.keyboard.type('milk, bread')]);
    const merged = 'TODAY Shopping list: milk, bread';
    for (const p of [alice.page, bob.page]) await p.waitForFunction((t) => document.querySelector<HTMLTextAreaElement>('#note-text')?.value === t, merged);
    // Each sees the other's caret where it is: Alice's after "TODAY ", Bob's at the end.
    const bobAtAlice = alice.page.locator('[data-cursor-of="Bob"]');
    const aliceAtBob = bob.page.locator('[data-cursor-of="Alice"]');
    await alice.page.locator(`[data-cursor-of="Bob"][data-cursor-index="${merged.length}"]`).waitFor();
    await bob.page.locator('[data-cursor-of="Alice"][data-cursor-index="6"]').waitFor();
    expect(await bobAtAlice.isVisible()).toBe(true);
    expect(await aliceAtBob.isVisible()).toBe(true);
    expect([await noteText(alice.page), await noteText(bob.page)]).toEqual([merged, merged]);
    // My own caret is not drawn as someone else's.
    expect(await alice.page.locator('[data-cursor-of="Alice"]').count()).toBe(0);
    await screenshot(alice.page, 'shared-note');
    console.log(`shared note: merged ${JSON.stringify(merged)}; cursors at alice ${JSON.stringify(await bobAtAlice.getAttribute('data-cursor-index'))}, at bob ${JSON.stringify(await aliceAtBob.getAttribute('data-cursor-index'))}`);
  });

  it('the note is stored: it is there after a reload, and the caret markers follow the other\'s edits', async () => {
    await bob.page.reload();
    await openChatWith(bob.page, 'Alice');
    await bob.page.getByRole('button', { name: 'Shared note' }).click();
    await bob.page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#note-text')?.value === 'TODAY Shopping list: milk, bread');
    // Bob's tab announced its caret (0) again; Alice types before it and sees his marker move.
    await alice.page.locator('[data-cursor-of="Bob"][data-cursor-index="0"]').waitFor();
    await noteOf(bob.page).click();
    await bob.page.keyboard.press('Control+End');
    await alice.page.locator('[data-cursor-of="Bob"][data-cursor-index="32"]').waitFor();
    await noteOf(alice.page).click();
    await alice.page.keyboard.press('Control+Home'); // the start of the note (Home: of the wrapped line)
    await alice.page.keyboard.type('!! ');
    await alice.page.locator('[data-cursor-of="Bob"][data-cursor-index="35"]').waitFor();
    await bob.page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#note-text')?.value === '!! TODAY Shopping list: milk, bread');
    // Bob's caret moved with Alice's text on his side too.
    expect(await bob.page.evaluate(() => document.querySelector<HTMLTextAreaElement>('#note-text')?.selectionStart)).toBe(35);
  });

  it('on a 390×844 phone the note takes the conversation\'s place and overlaps nothing', async () => {
    const phone = bob.page;
    await phone.setViewportSize({ width: 390, height: 844 });
    await noteOf(phone).waitFor();
    const found = await overlappingControls(phone);
    await screenshot(phone, 'shared-note-phone');
    await phone.getByRole('button', { name: 'Close note' }).click();
    await phone.getByRole('button', { name: 'Send' }).waitFor();
    const header = await phone.locator('.conv-header').evaluate((el) => el.getBoundingClientRect().height);
    const after = await overlappingControls(phone);
    console.log(`phone note: overlaps ${JSON.stringify(found)}, after closing ${JSON.stringify(after)}, header ${header} px`);
    expect({ found, after }).toEqual({ found: [], after: [] });
    expect(header).toBeLessThanOrEqual(64);
    await phone.setViewportSize({ width: 1100, height: 760 });
  });
});
