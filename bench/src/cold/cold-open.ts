import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';
import { chatText } from '../config.js';

export interface ColdFigures {
  readonly ms: number;
  readonly heapMb: number;
  /** Bytes of the saved document. */
  readonly bytes: number;
}

/** A Yjs document as a y-websocket server holds it: `history` pushes, each its own transaction. */
function yjsHistory(history: number, bytes: number): Uint8Array {
  const doc = new Y.Doc();
  const list = doc.getArray<{ text: string }>('messages');
  for (let i = 0; i < history; i++) list.push([{ text: chatText('message', i, bytes) }]);
  return Y.encodeStateAsUpdate(doc);
}

/** An Automerge document of `history` changes, one message each, saved (what automerge-repo stores). */
function automergeHistory(history: number, bytes: number): Uint8Array {
  let doc = Automerge.from<{ messages: { text: string }[] }>({ messages: [] });
  for (let i = 0; i < history; i++) doc = Automerge.change(doc, (d) => void d.messages.push({ text: chatText('message', i, bytes) }));
  return Automerge.save(doc);
}

/**
 * The peers' cold open: the whole document (the only unit either syncs or stores) loaded in a
 * fresh process from a saved file, then its latest 50 messages.
 */
export function peerColdOpen(kind: 'yjs' | 'automerge', history: number, bytes: number): ColdFigures {
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-cold-'));
  try {
    const file = join(dir, `${kind}.bin`);
    writeFileSync(file, kind === 'yjs' ? yjsHistory(history, bytes) : automergeHistory(history, bytes));
    const child = spawnSync(process.execPath, ['--expose-gc', '--conditions=@kith/source', '--import', 'tsx', fileURLToPath(new URL('./cold-open-child.ts', import.meta.url)), kind, file], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    if (child.status !== 0) throw new Error(`cold open child failed: ${child.stderr}`);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { ms: number; heapMb: number; last: string; count: number };
    if (out.count !== 50 || out.last !== `message ${history - 1}`) throw new Error(`cold open read the wrong page: ${JSON.stringify(out)}`);
    return { ms: out.ms, heapMb: out.heapMb, bytes: readFileSync(file).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kith's cold open is core/bench/domain.bench.ts's (100,000 messages, fresh process): its yjs row in docs/benchmarks.md. */
export function kithColdOpenFromDomainSection(markdown: string): { cold: string; page: string; heap: string; machine: string } | undefined {
  const section = /<!-- bench:domain -->([\s\S]*?)<!-- \/bench:domain -->/.exec(markdown)?.[1];
  const row = section === undefined ? undefined : /^\| yjs \|([^\n]*)\|$/m.exec(section)?.[1];
  if (section === undefined || row === undefined) return undefined;
  const cells = row.split('|').map((c) => c.trim());
  return { cold: cells[4] ?? '?', page: cells[5] ?? '?', heap: cells[6] ?? '?', machine: /_Machine: ([^_]*)_/.exec(section)?.[1] ?? '?' };
}
