import type { RelayFetch, Transport } from '@kith/core';

/** Bytes of the encrypted blob the browser has sent so far, and the blob's size. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Byte-level upload progress for attachments. The sync client uploads a sealed blob with one
 * `PUT /v1/blobs/<id>` through the transport's `fetch`; `fetch` cannot report bytes sent, so this
 * decorator sends that one request with XMLHttpRequest (whose `upload.onprogress` does) and
 * hands the rest to the inner transport unchanged.
 *
 * `expect(listener)` registers the listener for the next blob upload: uploads leave in the order
 * `uploadAttachment` was called (it seals synchronously, then fetches), so listeners are a FIFO.
 */
export interface ProgressTransport {
  readonly transport: Transport;
  expect(listener: UploadProgress): () => void;
}

const BLOB_PUT = /^\/v1\/blobs\/[0-9a-f]{64}$/;

export function createProgressTransport(inner: Transport, relayUrl: string): ProgressTransport {
  const waiting: UploadProgress[] = [];
  const base = relayUrl.replace(/\/+$/, '');
  const fetch: RelayFetch = (path, init) => {
    if (init?.method !== 'PUT' || !BLOB_PUT.test(path) || typeof XMLHttpRequest === 'undefined') return inner.fetch(path, init);
    return putWithProgress(`${base}${path}`, init, waiting.shift());
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
  };
}

function putWithProgress(url: string, init: RequestInit, listener: UploadProgress | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.responseType = 'arraybuffer';
    new Headers(init.headers).forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (e) => listener?.(e.loaded, e.lengthComputable ? e.total : e.loaded);
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
    xhr.send(init.body as XMLHttpRequestBodyInit | null);
  });
}
