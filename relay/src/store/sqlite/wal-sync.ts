import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/**
 * Makes committed SQLite transactions power-loss durable without blocking the event loop
 * (docs/adr/0018-relay-write-path.md). The connection runs WAL with `synchronous=NORMAL`: a
 * commit returns once its frames are written to the `-wal` file (in the OS: it survives a killed
 * process). `sync()` then `fdatasync`s that file on libuv's thread pool; what `synchronous=FULL`
 * would have done inside every commit, on the event loop.
 *
 * Coalescing: `sync()` resolves after an fdatasync that STARTED after the call, so it covers every
 * commit made before the call. At most one fdatasync runs at a time; callers that arrive while
 * one runs share the next one, so a burst of commits costs two fdatasyncs, not one each.
 *
 * The `-wal` file keeps its inode while the connection is open: SQLite resets it in place after
 * a checkpoint and deletes it only when the last connection closes (`close()` here comes first).
 */
/** Makes the commits made so far durable; resolves when they are. */
export type DurableBarrier = () => Promise<void>;

export interface WalSync {
  sync(): Promise<void>;
  /** fdatasyncs completed. */
  readonly syncs: number;
  close(): void;
}

export function createWalSync(walPath: string): WalSync {
  const fd = openSync(walPath, 'r');
  // What is on disk at open (a previous process's commits) is made durable before anything is
  // read or acknowledged from it.
  fdatasyncSync(fd);
  let syncs = 1;
  let closed = false;
  /** The fdatasync in progress, if any. */
  let running: Promise<void> | undefined;
  /** The one queued behind it, shared by every caller since `running` started. */
  let queued: Promise<void> | undefined;

  const start = (): Promise<void> => {
    const p = new Promise<void>((resolve, reject) => {
      if (closed) return reject(new Error('wal sync closed'));
      fdatasync(fd, (error) => {
        if (error !== null) return reject(error);
        syncs++;
        resolve();
      });
    });
    running = p;
    const clear = (): void => {
      if (running === p) running = undefined;
    };
    p.then(clear, clear);
    return p;
  };

  return {
    sync() {
      if (running === undefined) return start();
      queued ??= running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          // One started since `running` ended began after every queued call: it covers them.
          return running ?? start();
        });
      return queued;
    },
    get syncs() {
      return syncs;
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
