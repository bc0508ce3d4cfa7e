import type { ReactNode } from 'react';

export type Section = 'chats' | 'archived' | 'contacts' | 'newGroup';

const LABELS: ReadonlyArray<readonly [Section, string]> = [
  ['chats', 'Chats'],
  ['archived', 'Archived'],
  ['contacts', 'Contacts'],
  ['newGroup', 'New group'],
];

/** The sidebar's sections, with a count of what waits in each (contact requests). */
export function SectionTabs(props: { readonly section: Section; readonly onSelect: (s: Section) => void; readonly badges: Partial<Record<Section, number>> }): ReactNode {
  const { section, onSelect } = props;
  return (
    <div role="tablist" className="tabs" aria-label="Sections">
      {LABELS.map(([id, label]) => (
        <button key={id} type="button" role="tab" id={`tab-${id}`} aria-selected={section === id} onClick={() => onSelect(id)}>
          {label}
          {(props.badges[id] ?? 0) > 0 && (
            <span className="badge" data-badge={props.badges[id]} aria-label={`${props.badges[id]} waiting`}>
              {props.badges[id]}
            </span>
          )}
        </button>
      ))}
    </div>
  );
}
