import { expect } from 'vitest';
import { isKithError } from '../errors.js';
import type { DocId } from '../ids.js';
import type { Storage } from '../ports/storage.js';

export interface StorageConformanceOptions {
  /**
   * Persistent implementations: calling `makeStorage(key)` again with the key of a closed
   * storage must reopen the same data. The reopen clauses run only when this is true.
   */
  readonly reopen?: boolean;
}

/** Opens a storage for one test; `key` is unique per test unless the test reopens. */
export type MakeStorage = (key: string) => Storage | Promise<Storage>;

export interface StorageHarness {
  open(key?: string): Promise<Storage>;
  /** A key no other test uses. */
  freshKey(): string;
}

export const docId = (s: string): DocId => s as DocId;
export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** Expects `p` to reject with a KithError of `code`. */
export async function expectRejects(p: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKithError(error), `expected a KithError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}
