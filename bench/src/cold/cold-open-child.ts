// Cold open in a fresh process: read one saved document from disk, load it, take its latest
// 50 messages. Prints one JSON line: { ms, heapMb, last }.
//   node --expose-gc --import tsx cold-open-child.ts <yjs|automerge> <file>
import { readFileSync } from 'node:fs';
import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';

const [kind, file] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const bytes = readFileSync(file!);
let latest: { text: string }[];
let keep: unknown;
if (kind === 'yjs') {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, bytes);
  latest = doc.getArray<{ text: string }>('messages').slice(-50);
  keep = doc;
} else {
  const doc = Automerge.load<{ messages: { text: string }[] }>(bytes);
  latest = doc.messages.slice(-50).map((m) => ({ text: m.text }));
  keep = doc;
}
const ms = performance.now() - t0;
gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
console.log(JSON.stringify({ ms, heapMb, last: latest.at(-1)?.text.split(' ').slice(0, 2).join(' '), count: latest.length, kept: keep !== undefined }));
