import { describe } from 'vitest';
import type { CrdtBackend } from '../ports/crdt.js';
import { describeCrdtFuzzClauses } from './crdt-conformance-fuzz.js';
import { createCrdtConformanceKit } from './crdt-conformance-kit.js';
import { describeCrdtLocalClauses } from './crdt-conformance-local.js';
import { describeCrdtReplicationClauses } from './crdt-conformance-replication.js';

/**
 * The contract of `CrdtBackend` (core/src/ports/crdt.ts), as a vitest suite. Every backend runs
 * it in a few lines: `runCrdtBackendConformance('yjs', createYjsBackend())`.
 *
 * The randomized parts read `SEED` (any string; printed on failure) and `FUZZ_BUDGET_MS`.
 */
export function runCrdtBackendConformance(name: string, backend: CrdtBackend): void {
  const kit = createCrdtConformanceKit(name, backend);
  describe(`CRDT backend conformance: ${name}`, () => {
    describeCrdtLocalClauses(kit);
    describeCrdtReplicationClauses(kit);
    describeCrdtFuzzClauses(kit);
  });
}
