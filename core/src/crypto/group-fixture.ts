import type { ConversationId } from '../ids.js';
import { createMembershipLog, groupConversationId, type MembershipLog } from '../model/membership/index.js';
import type { CryptoPort } from '../ports/crypto.js';
import { createMembershipAuthorizer, type Authorize } from './authorize.js';
import { createCounterTracker, type CounterTracker } from './counter-tracker.js';
import { applyKeyEnvelope, openKeyEnvelope, sealKeyEnvelope } from './key-envelope.js';
import { createKeyring, type Keyring } from './keyring.js';
import { SecretKey } from './secret-key.js';
import { makeUser, type TestUser } from './test-kit.js';

/** One device's view of a group: its own membership log replica, keyring and counters. */
export interface Peer {
  readonly user: TestUser;
  readonly log: MembershipLog;
  readonly keyring: Keyring;
  readonly counters: CounterTracker;
  readonly authorize: Authorize;
}

export interface Group {
  readonly conv: ConversationId;
  readonly peers: Map<string, Peer>;
  peer(name: string): Peer;
  /** Delivers a membership op (already proven to come from `author`) to every peer's log. */
  broadcastOp(bytes: Uint8Array, author: TestUser): void;
  /** `admin` makes epoch `epoch` for the current members and every peer opens its entry. */
  rotate(admin: string, epoch: number): Uint8Array;
}

/** A group created by the first name (admin) with the others as members, epoch 0 distributed. */
export function makeGroup(crypto: CryptoPort, names: string[], at = 1_700_000_000_000): Group {
  const users = names.map((n) => makeUser(crypto, n));
  const creator = users[0]!;
  const conv = groupConversationId(creator.id, at);
  const peers = new Map<string, Peer>();
  for (const u of users) {
    const log = createMembershipLog(conv);
    peers.set(u.name, { user: u, log, keyring: createKeyring(crypto), counters: createCounterTracker(), authorize: createMembershipAuthorizer((c) => (c === conv ? log.state() : undefined)) });
  }
  const peer = (name: string): Peer => {
    const p = peers.get(name);
    if (p === undefined) throw new Error(`no peer ${name}`);
    return p;
  };
  const created = peer(creator.name).log.create(creator.id, { type: 'create', name: 'group', description: '', icon: null, members: users.slice(1).map((u) => ({ user: u.id, role: 'member' as const })) }, at);
  const broadcastOp = (bytes: Uint8Array, author: TestUser): void => {
    for (const p of peers.values()) p.log.receive(bytes, author.id);
  };
  broadcastOp(created.bytes, creator);
  let keyCounter = 0;
  const rotate = (adminName: string, epoch: number): Uint8Array => {
    const admin = peer(adminName);
    const state = admin.log.state();
    const key = new SecretKey(crypto.randomBytes(32));
    const grants = [...state.members.keys()].map((id) => {
      const p = [...peers.values()].find((q) => q.user.id === id);
      if (p === undefined) throw new Error('unknown member');
      return { recipient: p.user.identity.public, rosterKeys: admin.keyring.rosterKeys(conv, epoch) };
    });
    const bytes = sealKeyEnvelope(crypto, { conversation: conv, epoch, key, removals: state.removals, counter: ++keyCounter, grants }, admin.user.identity);
    for (const p of peers.values()) {
      const opened = openKeyEnvelope(crypto, bytes, { identity: p.user.identity, authorize: p.authorize, counters: p.counters });
      if (opened.ok) applyKeyEnvelope(p.keyring, opened.value, at);
    }
    return bytes;
  };
  rotate(creator.name, 0);
  return { conv, peers, peer, broadcastOp, rotate };
}
