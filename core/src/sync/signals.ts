import { fail, ok, type Result } from '../errors.js';
import type { UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { Identity } from '../crypto/identity.js';
import { concatBytes, utf8 } from '../crypto/secret-key.js';
import { decodeBase64 as fromBase64, encodeBase64 as toBase64 } from '../protocol/base64.js';
import type { KeyStore } from '../session/key-store.js';
import type { ClientFrame, PresenceState, SignalKind } from '../protocol/relay/frames.js';

/** A verified, decrypted signal (typing, call signaling) from another user's device. */
export interface SignalEvent {
  readonly from: UserId;
  readonly device: string;
  readonly kind: SignalKind;
  readonly payload: Uint8Array;
}

/**
 * Ephemeral signals over the relay connection (SYNC-7): the body is a sealed box to the
 * recipient's X25519 key holding the kind, the payload and the sender's Ed25519 signature over
 * `"kith/v1/signal" ‖ 0 ‖ kind ‖ 0 ‖ recipient ‖ 0 ‖ payload` — the relay sees only who signals
 * whom and the kind. A signal from someone whose keys are unknown, or that does not verify, is dropped.
 */
export function createSignals(deps: { crypto: CryptoPort; identity: Identity; keys: KeyStore; send: (f: ClientFrame) => boolean; nextId: () => number }) {
  const { crypto, identity, keys } = deps;
  const listeners = new Set<(e: SignalEvent) => void>();
  const presenceListeners = new Set<(e: { user: string; device: string; state: PresenceState }) => void>();
  const signingBytes = (kind: string, to: string, payload: Uint8Array): Uint8Array => concatBytes(utf8(`kith/v1/signal\0${kind}\0${to}\0`), payload);
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    send(to: UserId, kind: SignalKind, payload: Uint8Array, device?: string): Result<void> {
      const boxKey = to === identity.userId ? identity.public.boxKey : keys.user(to)?.boxKey;
      if (boxKey === undefined) return fail('not_found', 'no keys for this user yet');
      const sig = identity.sign(signingBytes(kind, to, payload));
      const inner = utf8(JSON.stringify({ k: kind, p: toBase64(payload), s: toBase64(sig) }));
      const body = toBase64(crypto.sealBox(inner, boxKey));
      const sent = deps.send({ v: 1, t: 'signal', id: deps.nextId(), kind, to: device === undefined ? { user: to } : { user: to, device }, body });
      return sent ? ok(undefined) : fail('offline', 'not connected');
    },
    onSignal(from: { user: string; device: string }, kind: SignalKind, body: string): void {
      const sender = keys.user(from.user as UserId);
      const sealed = fromBase64(body);
      const plain = sealed === undefined ? null : identity.openSealedBox(sealed);
      if (sender === undefined || plain === null) return void dropped++;
      try {
        const o = JSON.parse(new TextDecoder().decode(plain)) as { k?: unknown; p?: unknown; s?: unknown };
        const payload = typeof o.p === 'string' ? fromBase64(o.p) : undefined;
        const sig = typeof o.s === 'string' ? fromBase64(o.s) : undefined;
        if (o.k !== kind || payload === undefined || sig === undefined) return void dropped++;
        if (!crypto.verify(sig, signingBytes(kind, identity.userId, payload), sender.signingKey)) return void dropped++;
        for (const l of listeners) l({ from: from.user as UserId, device: from.device, kind, payload });
      } catch {
        dropped++;
      }
    },
    onPresence(from: { user: string; device: string }, state: PresenceState): void {
      for (const l of presenceListeners) l({ user: from.user, device: from.device, state });
    },
    listen(l: (e: SignalEvent) => void): () => void {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    listenPresence(l: (e: { user: string; device: string; state: PresenceState }) => void): () => void {
      presenceListeners.add(l);
      return () => void presenceListeners.delete(l);
    },
  };
}
