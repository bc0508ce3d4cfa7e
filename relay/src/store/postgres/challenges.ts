import type { Sql } from 'postgres';
import type { ChallengeStore } from '../ports.js';

/**
 * SES-1 challenges shared by every instance (RLY-35): issued at one, answerable at any. `take`
 * is one `DELETE … RETURNING`, so a nonce is consumed once across the cluster even when two
 * instances receive the same answer together. The per-address bound (L3) is checked under a
 * per-address advisory lock, so concurrent issues on several instances cannot exceed it.
 */
export function createPostgresChallengeStore(sql: Sql): ChallengeStore {
  return {
    issue(c, now, maxTotal, maxPerAddress) {
      return sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`kith/challenge/${c.address}`})::int8)`;
        await tx`DELETE FROM auth_challenges WHERE expires_at <= ${now}::int8`;
        const [counts] = await tx<{ total: string; here: string }[]>`
          SELECT (SELECT count(*) FROM (SELECT 1 FROM auth_challenges LIMIT ${maxTotal}::int8) t) AS total,
                 (SELECT count(*) FROM auth_challenges WHERE address = ${c.address}) AS here`;
        if (Number(counts?.total ?? 0) >= maxTotal) return 'full' as const;
        if (Number(counts?.here ?? 0) >= maxPerAddress) return 'address_full' as const;
        await tx`INSERT INTO auth_challenges (nonce, user_id, address, expires_at)
                 VALUES (${c.nonce}, ${c.userId}, ${c.address}, ${c.expiresAt}::int8)`;
        return 'issued' as const;
      });
    },
    async take(nonce) {
      const [row] = await sql<{ user_id: string; address: string; expires_at: string }[]>`
        DELETE FROM auth_challenges WHERE nonce = ${nonce} RETURNING user_id, address, expires_at`;
      return row === undefined ? undefined : { nonce, userId: row.user_id, address: row.address, expiresAt: Number(row.expires_at) };
    },
  };
}
