import type { ReactNode } from 'react';

export type Section = 'chats' | 'archived' | 'contacts' | 'newGroup';

const LABELS: ReadonlyArray<readonly [Section, string]> = [
  ['chats', 'Chats'],
  ['archived', 'Archived'],
  ['contacts', 'Contacts'],
  ['newGroup', 'New group'],
];

/** The sidebar's sections. */
export function SectionTabs({ section, onSelect }: { readonly section: Section; readonly onSelect: (s: Section) => void }): ReactNode {
  return (
    <div role="tablist" className="tabs" aria-label="Sections">
      {LABELS.map(([id, label]) => (
        <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={section === id} onClick={() => onSelect(id)}>
          {label}
        </button>
      ))}
    </div>
  );
}
