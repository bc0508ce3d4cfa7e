import type { ReactNode } from 'react';
import { GroupInfo } from './group-info.js';
import { MemberList } from './member-list.js';

/** The side panel of a group: its info and its members. */
export function GroupPanel({ id, onError }: { readonly id: string; readonly onError: (message: string) => void }): ReactNode {
  return (
    <>
      <GroupInfo id={id} />
      <MemberList id={id} onError={onError} />
    </>
  );
}
