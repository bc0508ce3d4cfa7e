import type { UserId } from '../ids.js';
import { changeKey, type DocChange } from '../protocol/doc-change.js';
import type { Clock } from '../ports/clock.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { EngineLink } from '../ports/engine-link.js';
import type { Storage } from '../ports/storage.js';
import type { SecretVault } from '../ports/vault.js';
import type { RotationPolicy } from '../crypto/epoch-planner.js';
import type { Identity } from '../crypto/identity.js';
import { loadCounterStore, type CounterStore } from '../session/counter-store.js';
import { loadGrantPolicy } from '../session/grant-policy.js';
import { createIntroHandler } from '../session/intro-handler.js';
import { loadKeyStore, type KeyStore } from '../session/key-store.js';
import { loadMembershipViews, type MembershipViews } from '../session/membership-views.js';
import type { QueuedPush } from '../session/queued-push.js';
import { loadReadRotation, type CapabilityRelay, type ReadRotation } from '../session/read-rotation.js';
import { createSecureSession, type SecureSession } from '../session/secure-session.js';
import { createCapabilityClaims, type CapabilityClaims } from './capability-claims.js';
import { loadClientState, type ClientState } from './client-state.js';

/** The session layer and the client's persisted state, loaded from storage at start. */
export interface SessionParts {
  readonly keys: KeyStore;
  readonly counters: CounterStore;
  readonly memberships: MembershipViews;
  readonly state: ClientState;
  readonly claims: CapabilityClaims;
  readonly session: SecureSession;
  readonly handleIntro: ReturnType<typeof createIntroHandler>;
  /** SYNC-24: run at start, after applied entries and after acks. */
  readonly readRotation: ReadRotation;
}

export async function loadSessionParts(deps: {
  readonly crypto: CryptoPort;
  readonly identity: Identity;
  readonly engine: EngineLink;
  readonly storage: Storage;
  readonly vault: SecretVault;
  readonly clock: Clock;
  readonly rotation: RotationPolicy | undefined;
  /** Where sealed envelopes go once durable (the push queue, created after this). */
  readonly queue: (push: QueuedPush) => void;
  /** The relay's capability records (HTTP, with the connection's session). */
  readonly capabilities: CapabilityRelay;
}): Promise<SessionParts> {
  const { crypto, identity, engine, storage, clock } = deps;
  const me: UserId = identity.userId;
  const keys = await loadKeyStore(crypto, storage, deps.vault);
  const counters = await loadCounterStore(storage);
  const state = await loadClientState(storage, engine, keys, identity.device);
  const sealed = (c: DocChange): boolean => state.queued.has(changeKey(c));
  const memberships = await loadMembershipViews(storage, engine, sealed, (conv, view) => keys.keyring.revalidate(conv, view));
  const policy = await loadGrantPolicy({ crypto, storage, me, memberships });
  const claims = createCapabilityClaims(state.claims, storage, identity, keys);
  const session = await createSecureSession({
    crypto,
    identity,
    engine,
    storage,
    clock,
    keys,
    memberships,
    counters: counters.tracker,
    isUnverifiedToken: (scope, t) => policy.isUnverified(scope, t),
    claim: (scope, t, peer) => claims.add(scope, t, peer),
    queue: deps.queue,
    ...(deps.rotation === undefined ? {} : { rotation: deps.rotation }),
  });
  const handleIntro = createIntroHandler({ crypto, identity, keys, memberships, authorize: session.authorize, now: () => clock.now(), counters: counters.tracker, policy });
  const readRotation = await loadReadRotation({ crypto, identity, engine, storage, keys, memberships, book: session.book, relay: deps.capabilities });
  return { keys, counters, memberships, state, claims, session, handleIntro, readRotation };
}
