import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newUser, screenshot, startDemo, type Demo } from './harness.js';

// The demo loads in Debian Chromium and shows an accessible sign-up form, at desktop and phone width.
describe('web demo smoke', () => {
  let demo: Demo;
  let chrome: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    demo = await startDemo('http://127.0.0.1:9');
    chrome = await launchBrowser();
  });
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
  });

  it('renders the sign-up screen with labelled fields', async () => {
    const { page, context, errors } = await newUser(chrome.browser, demo);
    await page.getByRole('heading', { name: 'Create your Kith account' }).waitFor();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Display name').fill('Alice');
    await page.getByLabel('Password').fill('correct horse');
    expect(await page.getByRole('button', { name: 'Sign up' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'I already have an account' }).click();
    await page.getByRole('heading', { name: 'Log in to Kith' }).waitFor();
    expect(await page.getByLabel('Display name').count()).toBe(0);
    await screenshot(page, 'sign-up');
    await context.close();
    const phone = await newUser(chrome.browser, demo, { width: 375, height: 740 });
    await phone.page.getByRole('heading', { name: 'Create your Kith account' }).waitFor();
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    console.log(`smoke: page errors ${errors.length + phone.errors.length}, phone scrollWidth ${width}`);
    expect(width).toBeLessThanOrEqual(375);
    expect([...errors, ...phone.errors]).toEqual([]);
    await screenshot(phone.page, 'sign-up-phone');
    await phone.context.close();
  });
});
