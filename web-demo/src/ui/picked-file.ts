import type { FileInput } from '../adapters/client.js';

/** The file picked in a file input, read into memory (undefined when none was picked). */
export async function pickedFile(input: HTMLInputElement | null): Promise<FileInput | undefined> {
  const file = input?.files?.[0];
  if (file === undefined) return undefined;
  return { bytes: new Uint8Array(await file.arrayBuffer()), mime: file.type || 'application/octet-stream', name: file.name };
}
