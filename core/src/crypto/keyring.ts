import { toHex, type DocId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import { SecretKey, utf8 } from './secret-key.js';

/**
 * Epoch keys (KEY-3..5, ADR 0006). Each conversation (or standalone document) has a sequence of
 * epochs; epoch `e` has a random 32-byte key `K_e`. Two subkeys are derived from it:
 * - the content key (feeds, snapshots): BLAKE2b-256(key = K_e, "kith/v1/content");
 * - the roster key (the membership log): BLAKE2b-256(key = K_e, "kith/v1/roster").
 * A joiner is given roster keys of earlier epochs (to verify the membership log from its
 * creation) but not their content keys — history stays closed unless an admin shares K_e.
 *
 * Concurrent rotations may produce several keys for one epoch; all are kept (at most
 * MAX_CANDIDATES) so anything sent under any of them opens, and senders use the canonical one:
 * highest `removals`, then smallest key hash (KEY-5).
 */
export interface EpochKeyInfo {
  readonly scope: string;
  readonly epoch: number;
  /** Hex BLAKE2b-256(key = K_e, "kith/v1/keyhash"): the commitment named in key envelopes. */
  readonly keyHash: string;
  /** `MembershipState.removals` the key was created for (senders need ≥ the current value). */
  readonly removals: number;
  readonly createdAt: number;
  readonly createdBy: UserId | null;
  /** Who received this key in its key envelope (the planner shares it with members missing). */
  readonly recipients: readonly UserId[];
}

export interface Keyring {
  /** Stores an epoch key; returns false if it was already known or the epoch is full. */
  addEpochKey(info: Omit<EpochKeyInfo, 'keyHash'>, key: SecretKey): boolean;
  /** Stores a bare roster key of an epoch (what a joiner receives for earlier epochs). */
  addRosterKey(scope: string, epoch: number, rosterKey: SecretKey): void;
  /** Candidate keys to open an envelope of `doc` in `epoch` (roster or content subkeys). */
  keysFor(doc: DocId, epoch: number): SecretKey[];
  /** The canonical key of the newest epoch of a scope, for sending. */
  current(scope: string): { info: EpochKeyInfo; key: SecretKey } | undefined;
  /** The full epoch key with a given hash (for sharing history explicitly). */
  epochKey(scope: string, epoch: number, keyHash?: string): SecretKey | undefined;
  /** Roster keys of every epoch up to `below` (exclusive) — for a joiner. */
  rosterKeys(scope: string, below: number): Array<{ epoch: number; key: SecretKey }>;
  epochs(scope: string): EpochKeyInfo[];
  /** Everything held, for persisting (contains secrets: store it only encrypted at rest). */
  snapshot(): KeyringSnapshot;
}

export interface KeyringSnapshot {
  readonly epochKeys: ReadonlyArray<{ readonly info: EpochKeyInfo; readonly key: SecretKey }>;
  readonly rosterKeys: ReadonlyArray<{ readonly scope: string; readonly epoch: number; readonly key: SecretKey }>;
}

export const MAX_CANDIDATES = 4;

/** The key scope of a document: its conversation for feeds/membership/keys, else the document. */
export function keyScopeOf(doc: DocId): string {
  const [kind, conv] = doc.split(':');
  if ((kind === 'feed' || kind === 'members' || kind === 'keys') && conv !== undefined) return conv;
  return doc;
}

export function isRosterDoc(doc: DocId): boolean {
  return doc.startsWith('members:');
}

export function deriveSubkey(crypto: CryptoPort, key: SecretKey, use: 'content' | 'roster' | 'keyhash'): Uint8Array {
  return crypto.hash(utf8(`kith/v1/${use}`), 32, key.expose());
}

export function epochKeyHash(crypto: CryptoPort, key: SecretKey): string {
  return toHex(deriveSubkey(crypto, key, 'keyhash'));
}

interface Slot {
  info: EpochKeyInfo;
  key: SecretKey;
  content: SecretKey;
  roster: SecretKey;
}

const canonicalOrder = (a: EpochKeyInfo, b: EpochKeyInfo): number =>
  b.removals - a.removals || (a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0);

/** A keyring, optionally restored from a `snapshot()`. */
export function createKeyring(crypto: CryptoPort, restore?: KeyringSnapshot): Keyring {
  const slots = new Map<string, Map<number, Slot[]>>();
  const rosterOnly = new Map<string, Map<number, SecretKey[]>>();
  const epochMap = <T>(m: Map<string, Map<number, T[]>>, scope: string, epoch: number): T[] => {
    let byEpoch = m.get(scope);
    if (byEpoch === undefined) m.set(scope, (byEpoch = new Map<number, T[]>()));
    let list = byEpoch.get(epoch);
    if (list === undefined) byEpoch.set(epoch, (list = []));
    return list;
  };
  const keyring: Keyring = {
    addEpochKey(meta, key) {
      const keyHash = epochKeyHash(crypto, key);
      const list = epochMap(slots, meta.scope, meta.epoch);
      if (list.some((s) => s.info.keyHash === keyHash) || list.length >= MAX_CANDIDATES) return false;
      list.push({
        info: { ...meta, keyHash },
        key: new SecretKey(key.expose()),
        content: new SecretKey(deriveSubkey(crypto, key, 'content')),
        roster: new SecretKey(deriveSubkey(crypto, key, 'roster')),
      });
      list.sort((a, b) => canonicalOrder(a.info, b.info));
      return true;
    },
    addRosterKey(scope, epoch, rosterKey) {
      const list = epochMap(rosterOnly, scope, epoch);
      const hex = toHex(rosterKey.expose());
      if (list.length < MAX_CANDIDATES && !list.some((k) => toHex(k.expose()) === hex)) list.push(new SecretKey(rosterKey.expose()));
    },
    keysFor(doc, epoch) {
      const scope = keyScopeOf(doc);
      const full = slots.get(scope)?.get(epoch) ?? [];
      if (!isRosterDoc(doc)) return full.map((s) => s.content);
      return [...full.map((s) => s.roster), ...(rosterOnly.get(scope)?.get(epoch) ?? [])];
    },
    current(scope) {
      const byEpoch = slots.get(scope);
      if (byEpoch === undefined || byEpoch.size === 0) return undefined;
      const top = byEpoch.get(Math.max(...byEpoch.keys()))?.[0];
      return top === undefined ? undefined : { info: top.info, key: top.key };
    },
    epochKey(scope, epoch, keyHash) {
      const list = slots.get(scope)?.get(epoch) ?? [];
      return (keyHash === undefined ? list[0] : list.find((s) => s.info.keyHash === keyHash))?.key;
    },
    rosterKeys(scope, below) {
      const out: Array<{ epoch: number; key: SecretKey }> = [];
      for (const [epoch, list] of slots.get(scope) ?? []) {
        if (epoch < below) for (const s of list) out.push({ epoch, key: s.roster });
      }
      for (const [epoch, list] of rosterOnly.get(scope) ?? []) {
        if (epoch < below) for (const k of list) out.push({ epoch, key: k });
      }
      return out.sort((a, b) => a.epoch - b.epoch);
    },
    epochs(scope) {
      return [...(slots.get(scope)?.values() ?? [])].flat().map((s) => s.info).sort((a, b) => a.epoch - b.epoch || canonicalOrder(a, b));
    },
    snapshot() {
      const epochKeys = [...slots.values()].flatMap((byEpoch) => [...byEpoch.values()].flat().map((s) => ({ info: s.info, key: s.key })));
      const rosterKeys = [...rosterOnly].flatMap(([scope, byEpoch]) => [...byEpoch].flatMap(([epoch, keys]) => keys.map((key) => ({ scope, epoch, key }))));
      return { epochKeys, rosterKeys };
    },
  };
  for (const { info, key } of restore?.epochKeys ?? []) {
    const { keyHash: _ignored, ...meta } = info;
    keyring.addEpochKey(meta, key);
  }
  for (const r of restore?.rosterKeys ?? []) keyring.addRosterKey(r.scope, r.epoch, r.key);
  return keyring;
}
