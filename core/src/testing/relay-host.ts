import type { InProcessConnection, InProcessSocket, RelayFetch, Transport } from '../index.js';

/**
 * The relay a sync harness runs against, injected by the caller: @kith/core cannot depend on
 * @kith/relay (the relay depends on core), so the harness sees the relay only through this port.
 *
 * - `in-process`: the relay runs in this process. Each client socket goes through the peer's
 *   fault link to `accept` (the relay's `connect`), and `drain()` settles once the relay has
 *   finished the writes it started — then everything it will send is on its way.
 * - `external`: a relay in another process (real HTTP and WebSockets). Frames cannot be faulted
 *   one by one; `drain()` gives the real I/O a moment (never a wait for sync itself), and the
 *   harness waits for the clients' counters to stay unchanged before it calls the world quiet.
 */
export type RelayHost =
  | {
      readonly kind: 'in-process';
      /** HTTP to whichever relay runs now (registration, login, directory, blobs). */
      readonly fetch: RelayFetch;
      /** Attaches one client socket to whichever relay runs now. */
      accept(socket: InProcessSocket): InProcessConnection;
      drain(): Promise<void>;
      /** Shuts the relay down (the harness's `close()` calls it last). */
      close(): Promise<void>;
    }
  | {
      readonly kind: 'external';
      readonly fetch: RelayFetch;
      /** Sockets to whichever relay runs now. */
      readonly transport: Transport;
      drain(): Promise<void>;
      close(): Promise<void>;
    };
