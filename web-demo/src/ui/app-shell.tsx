import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { AccountHeader } from './account-header.js';
import { SyncBanner } from './sync-banner.js';
import { SectionTabs, type Section } from './section-tabs.js';
import { ChatSearchPanel } from './chat-search-panel.js';
import { useJumpToMessage } from './use-search.js';
import { ContactsPanel } from './contacts-panel.js';
import { NewGroupForm } from './new-group-form.js';
import { NewChat } from './new-chat.js';
import { Conversation } from './conversation.js';
import { CallOverlay } from './call-overlay.js';
import { useClient } from './client-context.js';
import { useUnreadTitle } from './use-unread-title.js';
import { useMessageNotifications } from './use-message-notifications.js';

/** The signed-in layout: sidebar (account, banner, sections) and the open conversation. */
export function AppShell({ onSignedOut }: { readonly onSignedOut: () => void }): ReactNode {
  const [section, setSection] = useState<Section>('chats');
  const [open, setOpen] = useState<string | null>(null);
  const side = useRef<HTMLDivElement>(null);
  const client = useClient();
  useUnreadTitle(client);
  useMessageNotifications(client, setOpen);
  // A search result opens its conversation at the message.
  const [jump, setJump] = useState<{ readonly id: string } | null>(null);
  useJumpToMessage(jump, useCallback(() => setJump(null), []));
  const requests = client.contacts().filter((c) => c.status === 'incoming' && !c.blocked).length;
  // Back on the list, focus returns to the chat just left.
  const left = useRef<string | null>(null);
  useEffect(() => {
    if (open !== null || left.current === null) return;
    side.current?.querySelector<HTMLElement>(`[data-chat="${CSS.escape(left.current)}"]`)?.focus();
    left.current = null;
  }, [open]);
  const back = (): void => {
    left.current = open;
    setOpen(null);
  };
  return (
    <>
      <div className={`shell${open !== null ? ' show-main' : ''}`}>
        <aside className="side" aria-label="Chats and contacts">
          <AccountHeader onSignedOut={onSignedOut} />
          <SyncBanner />
          <div className="side-panel" ref={side}>
            <SectionTabs section={section} onSelect={setSection} badges={{ contacts: requests }} />
            {section === 'contacts' ? (
              <ContactsPanel onOpenChat={setOpen} />
            ) : section === 'newGroup' ? (
              <NewGroupForm
                onCreated={(id) => {
                  setSection('chats');
                  setOpen(id);
                }}
              />
            ) : (
              <>
                {section === 'chats' && <NewChat onOpen={setOpen} />}
                <ChatSearchPanel
                  archived={section === 'archived'}
                  open={open}
                  onOpen={setOpen}
                  onOpenMessage={(c, m) => {
                    setOpen(c);
                    setJump({ id: m });
                  }}
                  requests={requests}
                />
              </>
            )}
          </div>
        </aside>
        <section className="main" aria-label="Conversation">
          {open === null ? <p className="empty center">Select a chat</p> : <Conversation key={open} id={open} onBack={back} />}
        </section>
      </div>
      <CallOverlay />
    </>
  );
}
