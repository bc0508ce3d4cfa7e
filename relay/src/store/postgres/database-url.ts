/** `host:port/db` of a PostgreSQL URL, for logs: never the user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql ${u.host}${u.pathname}`;
  } catch {
    return 'postgresql (unparsable URL)';
  }
}
