import type { ReactNode } from 'react';

export interface Upload {
  readonly key: number;
  readonly name: string;
  readonly sent: number;
  readonly total: number;
  readonly label: string;
}

/** A file on its way: what is happening and a bar of the encrypted bytes sent. */
export function UploadRow({ upload: u }: { readonly upload: Upload }): ReactNode {
  return (
    <div className="upload small" role="status" data-upload={u.name}>
      <span>{u.label}</span>
      <progress aria-label={`Uploading ${u.name}`} max={u.total} value={u.sent} />
    </div>
  );
}
