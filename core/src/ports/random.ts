/**
 * Randomness. Production uses the platform CSPRNG; tests inject a seeded PRNG so runs replay.
 * Key material must come from a CSPRNG implementation — never from a seeded test PRNG outside tests.
 */
export interface Random {
  /** Fill and return `n` random bytes. */
  bytes(n: number): Uint8Array;
}
