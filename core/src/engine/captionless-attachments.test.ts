import { describe, expect, it } from 'vitest';
import type { Attachment } from '../model/attachment.js';
import { createYjsBackend } from '../crdt/yjs/index.js';
import { createPeerHarness } from '../testing/peer-harness.js';
import { expectKithError } from '../testing/domain-snapshot.js';

const HEX = 'ab'.repeat(32);
const photo = {
  id: '01890000-0000-7000-8000-00000000a001',
  mime: 'image/jpeg',
  size: 2048,
  name: 'menu.jpg',
  hash: { alg: 'sha256', hex: HEX },
  keySlot: 0,
  blob: HEX,
} as unknown as Attachment;

/** A message with at least one attachment may have empty text; one with neither is refused. */
describe('captionless attachments', () => {
  it('sends, receives and edits a file message with empty text; still refuses an empty message', async () => {
    const h = await createPeerHarness({ backend: createYjsBackend(), seed: 'captionless', peers: ['alice', 'bob'] });
    const alice = h.peer('alice');
    const bob = h.peer('bob');
    const group = await alice.groups.create({ name: 'G', members: [h.user('bob')] });
    await h.flush();

    const sent = await alice.messages.send(group.id, { text: '', attachments: [photo] });
    expect(sent.text).toBe('');
    expect(sent.attachments.map((a) => a.name)).toEqual(['menu.jpg']);
    await h.flush();
    const got = await bob.messages.get(group.id, sent.id);
    expect(got?.text).toBe('');
    expect(got?.attachments.map((a) => a.blob)).toEqual([HEX]);

    // A caption can be added and cleared again on a message that has a file…
    await alice.messages.edit(group.id, sent.id, 'the menu');
    const cleared = await alice.messages.edit(group.id, sent.id, '');
    expect(cleared.text).toBe('');
    // …but a message with neither text nor attachment is still refused, on send and on edit.
    await expectKithError('message_empty', () => alice.messages.send(group.id, { text: '', attachments: [] }));
    await expectKithError('message_empty', () => alice.messages.send(group.id, { text: ' \n' }));
    const plain = await alice.messages.send(group.id, 'plain');
    await expectKithError('message_empty', () => alice.messages.edit(group.id, plain.id, ''));
    await h.flush();
    const page = await bob.messages.page(group.id);
    console.log(`captionless: bob sees ${page.length} messages, ${page.filter((m) => m.text === '').length} captionless`);
    expect(page.map((m) => [m.text, m.attachments.length])).toEqual([['', 1], ['plain', 0]]);
  });
});
