// Keyboard and labelling checks for the browser suite.
import type { Page } from 'playwright-core';

/**
 * Presses Tab (or Shift+Tab) until the focused element matches the CSS selector `target`, at
 * most `limit` times; returns how many presses it took. Throws with the focus path otherwise.
 */
export async function tabTo(page: Page, target: string, back = false, limit = 60): Promise<number> {
  const path: string[] = [];
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const [hit, name] = await page.evaluate((sel): [boolean, string] => {
      const el = document.activeElement;
      if (el === null) return [false, '(none)'];
      return [el.matches(sel), `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}[${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 20) ?? ''}]`];
    }, target);
    path.push(name);
    if (hit) return i;
  }
  throw new Error(`focus never reached ${target}: ${path.join(' → ')}`);
}

/** Visible controls with no accessible name (no label, aria-label, labelledby, title or text). */
export async function accessibleNameGaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const gaps: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [role="tab"], [tabindex]'))) {
      if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue; // not rendered
      if ((el as HTMLInputElement).type === 'hidden') continue;
      const labelled = el.getAttribute('aria-label') ?? el.getAttribute('aria-labelledby') ?? el.getAttribute('title');
      const byLabel = 'labels' in el && ((el as HTMLInputElement).labels?.length ?? 0) > 0;
      const text = (el.textContent ?? '').trim();
      if (!labelled && !byLabel && text === '') gaps.push(el.outerHTML.slice(0, 120));
    }
    return gaps;
  });
}
