import { fail, ok, type Result } from '../errors.js';
import type { ConversationId } from '../ids.js';
import type { CryptoPort } from '../ports/crypto.js';
import type { RelayFetch } from '../ports/transport.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Attachment } from '../model/attachment.js';
import { openAttachment, sealAttachment, type AttachmentInput } from './attachments.js';
import { getBlob, putBlob } from './relay-http.js';

/** Attachments to and from the relay's blob store (SYNC-8): sealed before upload, opened after download. */
export interface AttachmentTransfer {
  upload(conversation: ConversationId, input: AttachmentInput): Promise<Result<Attachment>>;
  download(conversation: ConversationId, attachment: Attachment): Promise<Result<Uint8Array>>;
}

export function createAttachmentTransfer(deps: { crypto: CryptoPort; keyring: Keyring; fetch: RelayFetch; token: () => string | undefined }): AttachmentTransfer {
  const { crypto, keyring, fetch } = deps;
  return {
    async upload(conversation, input) {
      const sealed = sealAttachment(crypto, keyring, conversation, input);
      if (!sealed.ok) return sealed;
      const token = deps.token();
      if (token === undefined) return fail('offline', 'not authenticated');
      const put = await putBlob(fetch, token, sealed.value.attachment.blob, sealed.value.blob);
      return put.ok ? ok(sealed.value.attachment) : put;
    },
    async download(conversation, attachment) {
      const token = deps.token();
      if (token === undefined) return fail('offline', 'not authenticated');
      const blob = await getBlob(fetch, token, attachment.blob);
      if (!blob.ok) return blob;
      return openAttachment(crypto, keyring, conversation, attachment, blob.value);
    },
  };
}
