import { useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import type { AttachmentView as Attachment } from '../adapters/client.js';
import { formatBytes } from '../format.js';
import { useClientActions } from './client-context.js';
import { DownloadRow, type Download } from './download-row.js';

/** An attachment: an image shown inline once decrypted, or a file downloaded (decrypted) on click; a bar while its bytes arrive. */
export function AttachmentView(props: { readonly conversation: string; readonly message: string; readonly attachment: Attachment; readonly onError: (e: unknown) => void; readonly onImageLoad: () => void }): ReactNode {
  const { conversation, message, attachment: a, onError } = props;
  const client = useClientActions();
  const [url, setUrl] = useState<string | null>(null);
  const [download, setDownload] = useState<Download | null>(null);
  const link = useRef<HTMLAnchorElement>(null);
  const fetchUrl = (): Promise<string> =>
    client
      .attachmentUrl(conversation, message, a.id, (received, total) => setDownload({ received, total }))
      .finally(() => setDownload(null));
  useEffect(() => {
    if (!a.image) return;
    let live = true;
    client.attachmentUrl(conversation, message, a.id, (received, total) => live && setDownload({ received, total })).then(
      (u) => {
        if (!live) return;
        setDownload(null);
        setUrl(u);
      },
      onError,
    );
    return () => void (live = false);
  }, [client, conversation, message, a.id, a.image, onError]);
  const bar = download === null ? null : <DownloadRow name={a.name} download={download} />;
  if (a.image)
    return (
      <figure className="attachment">
        <img className="attachment-image" alt={a.name} data-attachment={a.name} src={url ?? undefined} onLoad={props.onImageLoad} />
        <figcaption className="small muted">{`${a.name} · ${formatBytes(a.size)}`}</figcaption>
        {bar}
      </figure>
    );
  const onDownload = (e: MouseEvent<HTMLAnchorElement>): void => {
    if (url !== null) return;
    e.preventDefault();
    if (download !== null) return;
    fetchUrl().then((u) => {
      setUrl(u);
      const el = link.current;
      if (el === null) return;
      el.href = u;
      el.click();
    }, onError);
  };
  return (
    <div className="attachment">
      <a className="attachment-file" data-attachment={a.name} download={a.name} href={url ?? '#'} ref={link} onClick={onDownload}>
        📄 {a.name}
        <span className="small muted"> {formatBytes(a.size)}</span>
      </a>
      {bar}
    </div>
  );
}
