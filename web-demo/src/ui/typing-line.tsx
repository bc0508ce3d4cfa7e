import type { ReactNode } from 'react';
import type { ConversationId } from '@kith/core';
import { useTyping } from '@kith/react';
import { useClientActions } from './client-context.js';

/** Who is typing in this conversation now (@kith/react's typing signals). */
export function TypingLine({ id }: { readonly id: string }): ReactNode {
  const client = useClientActions();
  const typing = useTyping(id as ConversationId);
  const names = typing.map((u) => client.nameOf(u));
  return (
    <p className="typing small" role="status" aria-live="polite">
      {names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`}
    </p>
  );
}
