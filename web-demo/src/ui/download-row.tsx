import type { ReactNode } from 'react';
import { formatBytes } from '../format.js';

/** Bytes of an attachment's encrypted blob received so far, of `total`. */
export interface Download {
  readonly received: number;
  readonly total: number;
}

/** An attachment on its way in: a bar of the encrypted bytes received. */
export function DownloadRow({ name, download: d }: { readonly name: string; readonly download: Download }): ReactNode {
  return (
    <div className="upload small" role="status" data-download={name}>
      <span>{`Downloading ${name}: ${formatBytes(d.received)} of ${formatBytes(d.total)}`}</span>
      <progress aria-label={`Downloading ${name}`} max={Math.max(1, d.total)} value={d.received} />
    </div>
  );
}
