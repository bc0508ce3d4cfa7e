// Three people chat in a group — run with `pnpm --filter @kith/core example`.
// Each person is one `createKith` engine (one device). The peer harness wires them to an
// in-memory relay over a simulated network; in an app, the sync layer does this part.
import type { Kith } from '../src/kith.js';
import { createCrdtBackend } from '../src/crdt/index.js';
import { createPeerHarness } from '../src/testing/peer-harness.js';

const h = await createPeerHarness({ backend: createCrdtBackend('yjs'), seed: 'example', peers: ['alice', 'bob', 'carol'] });
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name) => h.peer(name)) as [Kith, Kith, Kith];
const name = (user: string): string => ({ [alice.user]: 'alice', [bob.user]: 'bob', [carol.user]: 'carol' })[user] ?? user;

// Everyone sees new messages as they arrive.
carol.on('message', ({ message }) => console.log(`  carol's screen: ${name(message.author)}: ${message.text}`));

await alice.profile.update({ displayName: 'Alice' });
const group = await alice.groups.create({ name: 'Weekend trip', description: 'Who brings what', members: [bob.user, carol.user] });
console.log(`alice created "${group.name}" with ${group.members.length} members`);
await h.flush(); // deliver everything (an app's sync does this continuously)

const hello = await alice.messages.send(group.id, 'Who is bringing the tent? ⛺');
h.clock.advance(1000);
await h.flush();
const answer = await bob.messages.send(group.id, { text: 'Me! And the stove.', replyTo: hello.id });
await h.flush();
await carol.messages.react(group.id, answer.id, '🙌');
await carol.receipts.markRead(group.id, answer.id);
await bob.receipts.markRead(group.id, hello.id);
await h.flush();

await bob.messages.edit(group.id, answer.id, 'Me! And the stove + gas.');
await bob.groups.removeMember(group.id, carol.user).catch((e: Error) => console.log(`bob cannot remove carol: ${e.message}`));
await h.flush();

console.log('\nalice sees:');
for (const m of await alice.messages.page(group.id, { limit: 50 })) {
  const reactions = alice.messages.reactions(group.id, m.id).map((r) => `${r.emoji} ${name(r.user)}`);
  const receipts = await alice.receipts.forMessage(group.id, m.id);
  console.log(
    `  ${name(m.author)}: ${m.text}${m.editedAt ? ' (edited)' : ''}${reactions.length ? `  [${reactions.join(', ')}]` : ''}` +
      `  — ${receipts.map((r) => `${name(r.user)}:${r.status}`).join(' ')}`,
  );
}
console.log(`members: ${alice.groups.members(group.id).map((m) => `${name(m.user)} (${m.role})`).join(', ')}`);
await h.close();
