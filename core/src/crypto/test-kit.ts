import type { ConversationId, DocId, UserId } from '../ids.js';
import { parseDocId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { DocChange } from '../protocol/doc-change.js';
import { createSodiumCrypto } from './sodium/sodium-crypto.js';
import { createDeviceId, createIdentity, type Identity } from './identity.js';
import { SecretKey } from './secret-key.js';

/** Shared fixtures for crypto tests (not exported from the package). */
export interface TestUser {
  readonly name: string;
  readonly identity: Identity;
  readonly id: UserId;
  counter: Map<string, number>;
}

let shared: Promise<CryptoPort> | null = null;
export function testCrypto(): Promise<CryptoPort> {
  shared ??= createSodiumCrypto();
  return shared;
}

export function makeUser(crypto: CryptoPort, name: string): TestUser {
  const seed = crypto.hash(new TextEncoder().encode(`kith-test-user/${name}`), 64);
  const identity = createIdentity(crypto, { device: createDeviceId(crypto), bundle: new SecretKey(seed) });
  return { name, identity, id: identity.userId, counter: new Map() };
}

export function feedDoc(conv: ConversationId, author: UserId, chunk = 0): DocId {
  return parseDocId(`feed:${conv}:${author}:${chunk.toString(16)}`);
}

export function membersDoc(conv: ConversationId): DocId {
  return parseDocId(`members:${conv}`);
}

/** The user's next change to `doc` (counter per doc and device, from 1). */
export function nextChange(user: TestUser, doc: DocId, payload: Uint8Array, kind: DocChange['kind'] = 'update'): DocChange {
  const counter = (user.counter.get(doc) ?? 0) + 1;
  user.counter.set(doc, counter);
  return { doc, kind, author: user.id, device: user.identity.device, counter, payload };
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  return out;
}
