/**
 * Blob quota reservations (M8). Before a blob streams in, its byte budget is reserved against
 * the account's quota, so parallel uploads cannot together exceed it; the reservation is
 * released once the upload ends (stored, refused or failed). Check-and-reserve and release run
 * one at a time per account, so a usage read never misses a reservation that was released
 * because its bytes became usage (both may be counted for a moment: conservative).
 */
export interface QuotaReservations {
  /**
   * Reserves `want` bytes (or as many as remain, up to `cap`, when `want` is undefined) for
   * `owner`. `usage` reads the stored usage. Resolves to the reserved amount (0: none left).
   */
  reserve(owner: string, want: number | undefined, cap: number, quota: number, usage: () => Promise<number>): Promise<number>;
  release(owner: string, bytes: number): Promise<void>;
  /** Bytes reserved now for `owner` (tests, metrics). */
  reserved(owner: string): number;
}

export function createQuotaReservations(): QuotaReservations {
  const reserved = new Map<string, number>();
  const lanes = new Map<string, Promise<unknown>>();
  function serial<T>(owner: string, fn: () => Promise<T> | T): Promise<T> {
    const prev = lanes.get(owner) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    lanes.set(owner, tail);
    void tail.then(() => {
      if (lanes.get(owner) === tail) lanes.delete(owner);
    });
    return next;
  }
  return {
    reserve(owner, want, cap, quota, usage) {
      return serial(owner, async () => {
        const remaining = quota - (await usage()) - (reserved.get(owner) ?? 0);
        const amount = Math.max(0, Math.min(cap, remaining, want ?? Number.POSITIVE_INFINITY));
        if (want !== undefined && amount < want) return 0;
        if (amount > 0) reserved.set(owner, (reserved.get(owner) ?? 0) + amount);
        return amount;
      });
    },
    release(owner, bytes) {
      return serial(owner, () => {
        const left = (reserved.get(owner) ?? 0) - bytes;
        if (left > 0) reserved.set(owner, left);
        else reserved.delete(owner);
      });
    },
    reserved: (owner) => reserved.get(owner) ?? 0,
  };
}
