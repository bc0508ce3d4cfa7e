/* eslint-disable no-restricted-imports -- ADR 0008: the projection is an IndexedDB adapter; this is its one Dexie import. */
// Every other projection file reaches Dexie through this module, so the adapter boundary is one line.
export { Dexie } from 'dexie';
export type { DexieOptions, IndexableType, Table, Transaction } from 'dexie';
