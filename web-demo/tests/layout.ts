// Layout checks for the browser suite: controls that another element covers or overlaps.
import type { Page } from 'playwright-core';

/**
 * Every visible control (button, field, link, tab) whose centre `document.elementFromPoint`
 * does not return (it is covered), and every pair of controls whose boxes intersect. Controls
 * scrolled out of a scrolling ancestor, or smaller than 4 px (visually hidden inputs), are skipped.
 * While a modal `<dialog>` is open the page behind it is inert: only the dialog's controls count.
 */
export async function overlappingControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const name = (el: Element): string => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}[${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 24) ?? ''}]`;
    const inView = (el: HTMLElement, x: number, y: number): boolean => {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
      for (let p = el.parentElement; p !== null; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const r = p.getBoundingClientRect();
        if (x < r.left || x > r.right || y < r.top || y > r.bottom) return false;
      }
      return true;
    };
    const scope: ParentNode = document.querySelector('dialog:modal') ?? document;
    const controls = Array.from(scope.querySelectorAll<HTMLElement>('button, input:not([type="hidden"]), select, textarea, a[href], [role="tab"]')).filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width >= 4 && r.height >= 4 && getComputedStyle(el).visibility !== 'hidden' && inView(el, r.left + r.width / 2, r.top + r.height / 2);
    });
    const out: string[] = [];
    for (const el of controls) {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      const ok = hit !== null && (hit === el || el.contains(hit) || (hit instanceof HTMLLabelElement && hit.control === el));
      if (!ok) out.push(`${name(el)} is covered by ${hit === null ? 'nothing' : name(hit)}`);
    }
    for (let i = 0; i < controls.length; i++)
      for (let j = i + 1; j < controls.length; j++) {
        const a = controls[i]!;
        const b = controls[j]!;
        if (a.contains(b) || b.contains(a)) continue;
        const ra = a.getBoundingClientRect();
        const rb = b.getBoundingClientRect();
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) out.push(`${name(a)} overlaps ${name(b)}`);
      }
    return out;
  });
}
