import type { ReactNode } from 'react';
import { GroupInfo } from './group-info.js';
import { MemberList } from './member-list.js';

/** The side panel of a group: its info and its members. */
export function GroupPanel({ id, onError, onClose }: { readonly id: string; readonly onError: (message: string) => void; readonly onClose: () => void }): ReactNode {
  return (
    <>
      <button type="button" className="ghost close-panel" aria-label="Close members" onClick={onClose}>
        ✕ Close
      </button>
      <GroupInfo id={id} />
      <MemberList id={id} onError={onError} />
    </>
  );
}
