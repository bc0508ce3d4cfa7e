import { useCallback, useState, type ReactNode } from 'react';
import { errorText } from '../format.js';
import { ChatList } from './chat-list.js';
import { useClientActions, useClientVersion } from './client-context.js';
import { SearchBox } from './search-box.js';
import { SearchResults } from './search-results.js';
import { useSearch } from './use-search.js';

/** The chat list with its search box: typing narrows the chats and lists the messages that match. */
export function ChatSearchPanel(props: {
  readonly archived: boolean;
  readonly open: string | null;
  readonly onOpen: (id: string) => void;
  readonly onOpenMessage: (conversation: string, message: string) => void;
  readonly requests: number;
}): ReactNode {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const fail = useCallback((e: unknown) => setError(errorText(e)), []);
  const search = useSearch(useClientActions(), text, useClientVersion(), fail);
  const searching = text.trim() !== '';
  return (
    <>
      <SearchBox
        value={text}
        onChange={(t) => {
          setError('');
          setText(t);
        }}
      />
      {error !== '' && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ChatList archived={props.archived} open={props.open} onOpen={props.onOpen} requests={props.requests} only={searching ? search.chats : null} />
      {searching && <SearchResults search={search} onOpen={props.onOpenMessage} />}
    </>
  );
}
