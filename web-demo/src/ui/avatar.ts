import { h } from '../dom.js';
import type { ChatSummary } from '../adapters/client.js';

/** A chat's avatar: the group icon when it has one, else an initial (or # for groups), with the presence dot. */
export function avatar(c: ChatSummary): HTMLSpanElement {
  return h(
    'span',
    { class: 'avatar', 'aria-hidden': 'true' },
    c.icon !== null ? h('img', { class: 'group-icon', src: c.icon, alt: '' }) : c.kind === 'group' ? '#' : c.name.slice(0, 1).toUpperCase(),
    c.presence !== null && h('span', { class: `dot ${c.presence}`, title: c.presence }),
  );
}
