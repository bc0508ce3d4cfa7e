import type { ReactNode } from 'react';

/** The search field above the chat list: filters the chats and searches the messages. */
export function SearchBox({ value, onChange }: { readonly value: string; readonly onChange: (text: string) => void }): ReactNode {
  return (
    <div className="search-box" role="search" style={{ display: 'flex', gap: '0.25rem', padding: '0.5rem 0.5rem 0' }}>
      <input
        type="search"
        aria-label="Search chats and messages"
        placeholder="Search chats and messages"
        value={value}
        maxLength={200}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onChange('')}
        style={{ flex: 1, minWidth: 0 }}
      />
    </div>
  );
}
