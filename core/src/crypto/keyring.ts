import { conversationOfDoc } from '../model/doc-ids.js';
import { toHex, type DocId, type UserId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { MembershipView } from './authorize.js';
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
  /**
   * Accepted before the conversation's membership log was known (C2): usable for opening only,
   * never for sending, until `revalidate` finds its creator a current admin.
   */
  readonly provisional?: boolean;
  /** A shared history key (KEY-4 `sharedKeys`): opening only, never the sending key. */
  readonly historical?: boolean;
}

/** The highest epoch number a key may have (u32, minus one so that `epoch + 1` still fits). */
export const MAX_EPOCH = 0xffff_fffe;

export interface Keyring {
  /** Stores an epoch key; returns false if it was already known, the epoch is full or out of range. */
  addEpochKey(info: Omit<EpochKeyInfo, 'keyHash'>, key: SecretKey): boolean;
  /**
   * Re-checks which keys of a group's scope may be the sending key against the local membership
   * state (C2). Call it whenever that state changes (and once after loading). From then on,
   * `current(scope)` only returns a key whose creator is a current admin, whose `removals` ≤
   * `state.removals`, that is neither historical nor (still) provisional, and whose epoch is 0
   * or follows an epoch already known (held or roster key). Keys that fail stay for opening.
   */
  revalidate(scope: string, state: MembershipView): void;
  /** Stores a bare roster key of an epoch (what a joiner receives for earlier epochs). */
  addRosterKey(scope: string, epoch: number, rosterKey: SecretKey): void;
  /** Candidate keys to open an envelope of `doc` in `epoch` (roster or content subkeys). */
  keysFor(doc: DocId, epoch: number): SecretKey[];
  /** The canonical key of the newest epoch of a scope that may be sent under (see `revalidate`). */
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
  return conversationOfDoc(doc) ?? doc;
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
  /** May be the sending key (see `revalidate`). */
  sendable: boolean;
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
  /** The last membership state each revalidated scope was checked against. */
  const views = new Map<string, MembershipView>();
  /**
   * An epoch is known when a sendable key, a roster key or a shared history key of it is held
   * (a history key arrives in the same admin grant a roster key would, and its roster subkey is
   * derived from it: SYNC-22 sends joiners one or the other, not both).
   */
  const knownEpoch = (scope: string, epoch: number): boolean =>
    (slots.get(scope)?.get(epoch) ?? []).some((s) => s.sendable || s.info.historical === true) || (rosterOnly.get(scope)?.get(epoch)?.length ?? 0) > 0;
  /** Recomputes `sendable` for every slot of a scope, in ascending epoch order (the chain rule needs it). */
  const refresh = (scope: string): void => {
    const byEpoch = slots.get(scope);
    if (byEpoch === undefined) return;
    const view = views.get(scope);
    for (const epoch of [...byEpoch.keys()].sort((a, b) => a - b)) {
      const chained = epoch === 0 || knownEpoch(scope, epoch - 1);
      for (const s of byEpoch.get(epoch) ?? []) {
        const i = s.info;
        if (i.historical === true) s.sendable = false;
        else if (view === undefined) s.sendable = i.provisional !== true;
        else {
          s.sendable =
            view.created &&
            i.createdBy !== null &&
            view.members.get(i.createdBy)?.role === 'admin' &&
            i.removals <= view.removals &&
            chained;
          if (s.sendable && i.provisional === true) s.info = { ...i, provisional: false };
        }
      }
    }
  };
  const keyring: Keyring = {
    addEpochKey(meta, key) {
      if (!Number.isSafeInteger(meta.epoch) || meta.epoch < 0 || meta.epoch > MAX_EPOCH) return false;
      if (!Number.isSafeInteger(meta.removals) || meta.removals < 0 || meta.removals > 0xffff_ffff) return false;
      const keyHash = epochKeyHash(crypto, key);
      const list = epochMap(slots, meta.scope, meta.epoch);
      if (list.some((s) => s.info.keyHash === keyHash) || list.length >= MAX_CANDIDATES) return false;
      list.push({
        info: { ...meta, keyHash },
        key: new SecretKey(key.expose()),
        content: new SecretKey(deriveSubkey(crypto, key, 'content')),
        roster: new SecretKey(deriveSubkey(crypto, key, 'roster')),
        sendable: false,
      });
      list.sort((a, b) => canonicalOrder(a.info, b.info));
      refresh(meta.scope);
      return true;
    },
    revalidate(scope, state) {
      views.set(scope, state);
      refresh(scope);
    },
    addRosterKey(scope, epoch, rosterKey) {
      if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) return;
      const list = epochMap(rosterOnly, scope, epoch);
      const hex = toHex(rosterKey.expose());
      if (list.length < MAX_CANDIDATES && !list.some((k) => toHex(k.expose()) === hex)) {
        list.push(new SecretKey(rosterKey.expose()));
        refresh(scope);
      }
    },
    keysFor(doc, epoch) {
      const scope = keyScopeOf(doc);
      const full = slots.get(scope)?.get(epoch) ?? [];
      if (!isRosterDoc(doc)) return full.map((s) => s.content);
      return [...full.map((s) => s.roster), ...(rosterOnly.get(scope)?.get(epoch) ?? [])];
    },
    current(scope) {
      let top: Slot | undefined;
      for (const [epoch, list] of slots.get(scope) ?? []) {
        const best = list.find((s) => s.sendable); // lists are in canonical order (KEY-5)
        if (best !== undefined && (top === undefined || epoch > top.info.epoch)) top = best;
      }
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
