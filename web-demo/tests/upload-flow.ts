// Attaching a file and recording what the upload progress bar showed.
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';

export interface UploadRecord {
  /** Distinct values the bar showed while uploading. */
  readonly steps: number;
  readonly first: number;
  readonly last: number;
  /** The bar's max: the size of the encrypted upload. */
  readonly total: number;
  readonly monotonic: boolean;
}

/**
 * Attaches `size` random bytes as `name` and records every value of the progress bar. The
 * upload is throttled to 2 MB/s through the DevTools protocol (on loopback it would finish in
 * one step), so the bar has several steps to show; throttling is lifted afterwards.
 */
export async function uploadWithProgress(user: { context: BrowserContext; page: Page }, name: string, size: number): Promise<UploadRecord> {
  const { page } = user;
  const cdp = await user.context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
  await page.evaluate(() => {
    const seen: Array<[number, number]> = [];
    (globalThis as unknown as { uploadSeen: typeof seen }).uploadSeen = seen;
    const uploads = document.querySelector('.uploads');
    if (uploads === null) throw new Error('no upload area');
    new MutationObserver(() => {
      const bar = uploads.querySelector('progress');
      if (bar !== null && bar.value > 0 && seen.at(-1)?.[0] !== bar.value) seen.push([bar.value, bar.max]);
    }).observe(uploads, { subtree: true, attributes: true, childList: true, characterData: true });
  });
  await page.locator('#attach').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: randomBytes(size) });
  await page.locator(`a[data-attachment="${name}"]`).waitFor();
  await page.locator(`[data-upload="${name}"]`).waitFor({ state: 'detached' });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await cdp.detach();
  const seen = await page.evaluate(() => (globalThis as unknown as { uploadSeen: Array<[number, number]> }).uploadSeen);
  const last = seen.at(-1) ?? [0, 0];
  return { steps: seen.length, first: seen[0]?.[0] ?? 0, last: last[0], total: last[1], monotonic: seen.every((s, i) => i === 0 || s[0] > seen[i - 1]![0]) };
}
