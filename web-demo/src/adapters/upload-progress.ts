import type { RelayFetch, Transport } from '@kith/core';

/** Bytes of the encrypted blob the browser has sent (or received) so far, and the blob's size. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Byte-level upload and download progress for attachments. The sync client uploads a sealed blob with one
 * `PUT /v1/blobs/<id>` through the transport's `fetch`; `fetch` cannot report bytes sent, so this
 * decorator sends that one request with XMLHttpRequest (whose `upload.onprogress` does) and
 * hands the rest to the inner transport unchanged.
 *
 * `expect(listener)` registers the listener for the next blob upload: uploads leave in the order
 * `uploadAttachment` was called (it seals synchronously, then fetches), so listeners are a FIFO.
 * Downloads: `GET /v1/blobs/<id>` goes through XMLHttpRequest (its `onprogress` counts bytes
 * received) when a listener waits for that blob; otherwise it is the inner `fetch`.
 */
export interface ProgressTransport {
  readonly transport: Transport;
  expect(listener: UploadProgress): () => void;
  /** Bytes received of the download of blob `blob` (`GET /v1/blobs/<blob>`), until the returned stop. */
  expectDownload(blob: string, listener: UploadProgress): () => void;
}

const BLOB_PATH = /^\/v1\/blobs\/[0-9a-f]{64}$/;

export function createProgressTransport(inner: Transport, relayUrl: string): ProgressTransport {
  const waiting: UploadProgress[] = [];
  const downloads = new Map<string, UploadProgress>();
  const base = relayUrl.replace(/\/+$/, '');
  const fetch: RelayFetch = (path, init) => {
    if (!BLOB_PATH.test(path) || typeof XMLHttpRequest === 'undefined') return inner.fetch(path, init);
    const method = init?.method ?? 'GET';
    if (method === 'PUT') return withProgress('PUT', `${base}${path}`, init ?? {}, waiting.shift());
    const download = method === 'GET' ? downloads.get(path.slice(path.lastIndexOf('/') + 1)) : undefined;
    if (download !== undefined) return withProgress('GET', `${base}${path}`, init ?? {}, download);
    return inner.fetch(path, init);
  };
  return {
    transport: { connect: (handlers) => inner.connect(handlers), fetch },
    expect(listener) {
      waiting.push(listener);
      return () => {
        const i = waiting.indexOf(listener);
        if (i >= 0) waiting.splice(i, 1);
      };
    },
    expectDownload(blob, listener) {
      downloads.set(blob, listener);
      return () => void (downloads.get(blob) === listener && downloads.delete(blob));
    },
  };
}

function withProgress(method: 'PUT' | 'GET', url: string, init: RequestInit, listener: UploadProgress | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.responseType = 'arraybuffer';
    new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
    const report = (e: ProgressEvent): void => listener?.(e.loaded, e.lengthComputable ? e.total : e.loaded);
    if (method === 'PUT') xhr.upload.onprogress = report;
    else xhr.onprogress = report;
    // Like fetch: reject only when the relay cannot be reached; HTTP errors are responses.
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
        const at = line.indexOf(':');
        if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
      resolve(new Response(empty ? null : (xhr.response as ArrayBuffer), { status: xhr.status, statusText: xhr.statusText, headers }));
    };
    init.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send((init.body ?? null) as XMLHttpRequestBodyInit | null);
  });
}
