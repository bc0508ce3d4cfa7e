// Steps the browser suites share: each drives the UI the way a person would.
import type { Page } from 'playwright-core';

export async function signUp(page: Page, username: string, displayName: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  const error = page.locator('#auth-error:not(:empty), .fatal');
  await page.getByRole('tab', { name: 'Chats' }).or(error).waitFor();
  if (await error.isVisible()) throw new Error(`sign-up of ${username} failed: ${await error.textContent()}`);
}

export async function requestContact(page: Page, username: string): Promise<void> {
  await page.getByRole('tab', { name: 'Contacts' }).click();
  await page.getByLabel('Find a username').fill(username);
  await page.getByRole('button', { name: 'Add' }).click();
  const status = page.locator('#contact-status');
  await page.waitForFunction(() => !['', 'Searching…'].includes(document.getElementById('contact-status')?.textContent ?? ''));
  const text = await status.textContent();
  if (text !== `Request sent to @${username}.`) throw new Error(`contact request to ${username}: ${text}`);
}

export async function acceptContact(page: Page, username: string): Promise<void> {
  await page.getByRole('tab', { name: 'Contacts' }).click();
  const row = page.locator(`[data-contact="${username}"]`);
  await row.getByRole('button', { name: 'Accept' }).click();
  await row.getByRole('button', { name: 'Message' }).waitFor();
}

export async function openChatWith(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name: 'Chats' }).click();
  // By the chat's name: a group's preview may name the person too ("Alice: …").
  await page.locator('.chat-item', { has: page.locator('.chat-name', { hasText: name }) }).click();
  await page.locator('#conv-name', { hasText: name }).waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await message(page, text).waitFor();
}

export function message(page: Page, text: string) {
  return page.locator('.msg', { has: page.locator('.body', { hasText: text }) });
}

export async function logIn(page: Page, username: string, password = 'correct horse battery'): Promise<string | null> {
  await page.getByRole('button', { name: 'I already have an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  const error = page.locator('#auth-error:not(:empty), .fatal');
  await page.getByRole('tab', { name: 'Chats' }).or(error).waitFor();
  return (await error.isVisible()) ? await error.textContent() : null;
}
