import type { RelayFetch } from '../ports/transport.js';
import type { ReadRotation } from '../session/read-rotation.js';
import type { CapabilityClaims } from './capability-claims.js';

/**
 * What runs once the relay has authenticated this connection: pending capability claims
 * (SYNC-3), every subscription again (denied ones retried), every queued push, and a read
 * rotation check (SYNC-24).
 */
export async function afterAuth(parts: {
  readonly token: () => string | undefined;
  readonly fetch: RelayFetch;
  readonly claims: Pick<CapabilityClaims, 'run'>;
  readonly subs: { refresh(retryDenied: boolean): void };
  readonly pushes: { pushAll(): void };
  readonly readRotation: Pick<ReadRotation, 'check'>;
}): Promise<void> {
  const token = parts.token();
  if (token !== undefined) await parts.claims.run(parts.fetch, token);
  parts.subs.refresh(true);
  parts.pushes.pushAll();
  await parts.readRotation.check();
}
