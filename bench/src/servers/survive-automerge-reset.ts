/**
 * automerge-repo's websocket adapters throw from their socket error handlers when a connection is
 * reset (seen under load, after a repo's shutdown): a peer's crash, not a figure. Logged and
 * ignored so the run goes on; any other uncaught error still ends the process.
 */
export function surviveAutomergeReset(): void {
  process.on('uncaughtException', (error: Error & { code?: string }) => {
    if (error.code === 'ECONNRESET' && (error.stack ?? '').includes('automerge-repo')) {
      process.stderr.write(`ignored: automerge-repo adapter threw on a reset socket (${error.message})\n`);
      return;
    }
    process.stderr.write(`${error.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
