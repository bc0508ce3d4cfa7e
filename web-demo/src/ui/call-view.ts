import { clear, h } from '../dom.js';
import type { DemoClient } from '../adapters/client.js';

/** The call overlay: incoming ring, outgoing ring, and the connected call with video. */
export function mountCallOverlay(root: HTMLElement, client: DemoClient): void {
  const overlay = h('div', { class: 'call-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'call-title', hidden: true });
  root.append(overlay);
  const act = (a: Parameters<DemoClient['callAction']>[0]) => (): void => void client.callAction(a).catch(() => undefined);
  let shown: string | null = null;
  const render = (): void => {
    const c = client.call();
    overlay.hidden = c === null;
    if (c === null) {
      shown = null;
      return clear(overlay);
    }
    const key = `${c.call}:${c.status}:${c.remote !== null}:${c.local !== null}:${c.sharing === true}`;
    if (key === shown) return;
    shown = key;
    const title =
      c.status === 'ringing' ? (c.direction === 'incoming' ? `${c.peerName} is calling…` : `Calling ${c.peerName}…`) : c.status === 'connecting' ? `Connecting to ${c.peerName}…` : `In call with ${c.peerName}`;
    const remote = h('video', { class: 'remote-video', autoplay: true, playsinline: true, 'aria-label': `${c.peerName}'s video` });
    const local = h('video', { class: 'local-video', autoplay: true, playsinline: true, 'aria-label': 'Your video' });
    remote.srcObject = c.remote;
    local.srcObject = c.local;
    local.muted = true;
    clear(
      overlay,
      h('h2', { id: 'call-title', 'data-call-status': c.status }, title),
      h('p', { class: 'muted' }, c.kind === 'video' ? 'Video call' : 'Voice call', ' · end-to-end encrypted signaling'),
      c.kind === 'video' && h('div', { class: 'videos' }, remote, local),
      c.kind === 'voice' && c.remote !== null && h('audio', { autoplay: true, 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'row call-buttons' },
        c.direction === 'incoming' && c.status === 'ringing' && h('button', { type: 'button', class: 'primary', onclick: act('accept') }, 'Accept'),
        c.direction === 'incoming' && c.status === 'ringing' && h('button', { type: 'button', class: 'danger', onclick: act('decline') }, 'Decline'),
        c.status === 'connected' && c.kind === 'video' && h('button', { type: 'button', id: 'share-screen', onclick: act('shareScreen') }, c.sharing === true ? 'Stop sharing' : 'Share screen'),
        !(c.direction === 'incoming' && c.status === 'ringing') && h('button', { type: 'button', class: 'danger', onclick: act('hangUp') }, 'Hang up'),
      ),
    );
    const audio = overlay.querySelector('audio');
    if (audio !== null) audio.srcObject = c.remote;
    overlay.querySelector<HTMLButtonElement>('button')?.focus();
  };
  client.onCall(render);
  render();
}
