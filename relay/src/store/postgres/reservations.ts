import type { Sql } from 'postgres';
import type { BlobReservationStore } from '../ports.js';

/** A reservation left by an instance that died mid-upload stops counting after this long. */
export const RESERVATION_TTL_SECONDS = 3600;

/**
 * BLOB-2 across instances: check-and-reserve is one transaction under a per-owner advisory
 * lock, so uploads on different instances cannot together exceed the owner's quota. Usage and
 * reservations may both count a blob for a moment (conservative), as in the in-process version.
 */
export function createPostgresReservationStore(sql: Sql): BlobReservationStore {
  return {
    reserve(owner, want, cap, quota) {
      return sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`kith/quota/${owner}`})::int8)`;
        await tx`DELETE FROM blob_reservations WHERE owner = ${owner} AND expires_at <= now()`;
        const [row] = await tx<{ used: string; held: string }[]>`
          SELECT (SELECT coalesce(sum(size), 0) FROM blobs WHERE owner = ${owner}) AS used,
                 (SELECT coalesce(sum(bytes), 0) FROM blob_reservations WHERE owner = ${owner}) AS held`;
        const remaining = quota - Number(row?.used ?? 0) - Number(row?.held ?? 0);
        const amount = Math.max(0, Math.min(cap, remaining, want ?? Number.POSITIVE_INFINITY));
        if (want !== undefined && amount < want) return 0;
        if (amount > 0) {
          await tx`INSERT INTO blob_reservations (owner, bytes, expires_at)
                   VALUES (${owner}, ${amount}::int8, now() + make_interval(secs => ${RESERVATION_TTL_SECONDS}::float8))`;
        }
        return amount;
      });
    },
    async release(owner, bytes) {
      await sql`DELETE FROM blob_reservations WHERE id = (
        SELECT id FROM blob_reservations WHERE owner = ${owner} AND bytes = ${bytes}::int8 ORDER BY id LIMIT 1)`;
    },
  };
}
