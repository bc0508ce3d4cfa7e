import { createMemoryDatabase, createMemoryStorage, createMemoryVault } from '../index.js';
import type { CryptoPort, Identity, MemoryDatabase, SecretVault, Storage, SyncClientOptions } from '../index.js';

/** What a device keeps on its own platform: its store and its vault (and a decode sandbox). */
export interface HarnessDevice {
  readonly storage: Storage;
  readonly vault: SecretVault;
  /** Vets remote updates before they are applied (a decode sandbox); without it the harness sets
   *  `unsafeNoDecodeSandbox`. */
  readonly vet?: SyncClientOptions['vet'];
  /** Frees what the device holds besides its store (e.g. the sandbox); called at harness close. */
  close?(): void;
}

export interface DeviceContext {
  /** The peer's name: a device opened again under the same name reopens the same store. */
  readonly name: string;
  /** The device's identity (a sandbox vets only other people's updates; an app saves it to its store). */
  readonly identity: Identity;
  readonly crypto: CryptoPort;
  /** 32 seeded bytes per name, the same on every reopen (kept by the platform across restarts). */
  readonly vaultKey: Uint8Array;
}

/** Opens a device's local state; the harness calls it again with the same name on a restart. */
export type OpenDevice = (device: DeviceContext) => Promise<HarnessDevice>;

/** The default devices: memory storage (one database per name, kept across restarts) and a memory vault. */
export function createMemoryDevices(): OpenDevice {
  const databases = new Map<string, MemoryDatabase>();
  return (device) => {
    let database = databases.get(device.name);
    if (database === undefined) databases.set(device.name, (database = createMemoryDatabase()));
    return Promise.resolve({ storage: createMemoryStorage({ database }), vault: createMemoryVault(device.crypto, device.vaultKey) });
  };
}
