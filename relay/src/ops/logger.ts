/**
 * Structured logs: one JSON object per line. Fields are metadata only — codes, ids, sizes,
 * counts. Never payloads, tokens, usernames or keys (OPS-3); callers pass only such fields.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

/** Writes JSON lines through `write` (stdout in production). */
export function createJsonLogger(write: (line: string) => void, now: () => number = Date.now): Logger {
  return {
    log(level, event, fields) {
      write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields })}\n`);
    },
  };
}

/** Keeps lines in memory; tests read `lines`. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const inner = createJsonLogger((l) => lines.push(l), () => 0);
  return { lines, log: (level, event, fields) => inner.log(level, event, fields) };
}
