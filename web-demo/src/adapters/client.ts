/**
 * What the UI needs from Kith, as plain data (types only). The implementation (relay-client.ts)
 * wires the engine (`createKith`), Dexie storage, the sync client and the WebSocket transport;
 * the UI never touches them directly, so a missing piece of the SDK shows up in one file only.
 * load-client-factory.ts loads it lazily.
 */
import type { Kith, MessageSearchPage, MessageSearchQuery, SyncClient } from '@kith/core';
export type SyncState = 'offline' | 'connecting' | 'syncing' | 'upToDate' | 'gap';
export type PresenceState = 'online' | 'away' | 'busy' | 'offline';
export type Tick = 'queued' | 'sent' | 'delivered' | 'read';

export interface Me {
  readonly user: string;
  readonly username: string;
  readonly displayName: string;
}

export interface ContactView {
  readonly user: string;
  readonly username: string;
  readonly displayName: string;
  readonly status: 'none' | 'outgoing' | 'incoming' | 'accepted' | 'declined' | 'blocked';
  readonly blocked: boolean;
}

export interface ChatSummary {
  readonly id: string;
  readonly kind: 'direct' | 'group';
  readonly name: string;
  readonly peer: string | null;
  readonly pinned: boolean;
  readonly archived: boolean;
  readonly muted: boolean;
  readonly lastText: string;
  readonly lastAt: number;
  readonly unread: number;
  readonly presence: PresenceState | null;
  /** A blob: URL of the group's icon once fetched and decrypted, else null. */
  readonly icon: string | null;
  /** When the peer was last seen online (this session), for direct chats. */
  readonly lastSeen: number | null;
}

export interface ReactionView {
  readonly emoji: string;
  readonly count: number;
  readonly mine: boolean;
}

export interface ChatMessage {
  readonly id: string;
  readonly author: string;
  readonly authorName: string;
  readonly mine: boolean;
  readonly sentAt: number;
  readonly text: string;
  readonly replyTo: { readonly id: string; readonly authorName: string; readonly text: string } | null;
  readonly edited: boolean;
  readonly deleted: boolean;
  readonly reactions: readonly ReactionView[];
  readonly tick: Tick | null;
  readonly attachments: readonly AttachmentView[];
  /** Per member (groups): who has it delivered / read. */
  readonly receipts: ReadonlyArray<{ readonly name: string; readonly status: Tick }>;
}

export interface AttachmentView {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  readonly image: boolean;
}

export interface CallView {
  readonly conversation: string;
  readonly call: string;
  readonly peerName: string;
  readonly kind: 'voice' | 'video';
  readonly direction: 'incoming' | 'outgoing';
  readonly status: 'ringing' | 'connecting' | 'connected';
  readonly local: MediaStream | null;
  readonly remote: MediaStream | null;
  readonly connectedAt: number | null;
  readonly sharing?: boolean;
}

export interface CallLogEntry {
  readonly id: string;
  readonly kind: 'voice' | 'video';
  readonly outgoing: boolean;
  readonly status: string;
  readonly startedAt: number;
  readonly durationMs: number | null;
  /** Screen shares during the call: who shared, when, for how long (null while sharing). */
  readonly screenShares: ReadonlyArray<{ readonly by: string; readonly startedAt: number; readonly durationMs: number | null }>;
}

/** A line of a group's history that is not a message: created, added, left, roles. */
export interface SystemEntry {
  readonly id: string;
  readonly at: number;
  readonly text: string;
}

export interface GroupDetails {
  readonly name: string;
  readonly description: string;
}

/** A file the user picked. */
export interface FileInput {
  readonly bytes: Uint8Array;
  readonly mime: string;
  readonly name: string;
}

/** Bytes of the encrypted upload sent so far, of `total`. */
export type UploadProgress = (sent: number, total: number) => void;
/** Bytes of the encrypted download received so far, of `total`. */
export type DownloadProgress = (received: number, total: number) => void;

export interface MemberView {
  readonly user: string;
  readonly name: string;
  readonly role: 'admin' | 'member';
}

/** A message from someone else that just arrived (for notifications). */
export interface IncomingMessage {
  readonly conversation: string;
  readonly chatName: string;
  readonly authorName: string;
  readonly text: string;
  readonly muted: boolean;
}

/** Another member's caret in a shared note (one per device). */
export interface NoteCursor {
  readonly key: string;
  readonly user: string;
  readonly name: string;
  readonly index: number;
}

/** A conversation's shared note: collaborative plain text, with the others' cursors. */
export interface SharedNote {
  text(): string;
  /** A local edit: `deleteCount` characters at `from` replaced with `insert`. */
  edit(from: number, deleteCount: number, insert: string): void;
  /** Changes from others: the new text, and where an old position is now. */
  onChange(listener: (text: string, map: (index: number) => number) => void): () => void;
  cursors(): NoteCursor[];
  onCursors(listener: () => void): () => void;
  /** Where my caret is (sent to the others). */
  setCursor(index: number): void;
  close(): void;
}

export interface DemoClient {
  readonly me: Me;
  /** The running engine and sync client, for @kith/react's provider (its hooks read them). */
  readonly engine: { readonly kith: Kith; readonly sync: SyncClient };
  /** How the UI names a user: "You", else their display name, else their username. */
  nameOf(user: string): string;
  syncState(): SyncState;
  /** Fires after any change the UI may want to re-render for. */
  onChange(listener: () => void): () => void;
  /** New messages from others, as they arrive (not history restored from the relay). */
  onIncoming(listener: (m: IncomingMessage) => void): () => void;
  onTyping(listener: (conversation: string, name: string) => void): () => void;
  /** Finds a user by username at the relay. */
  lookup(username: string): Promise<string>;
  contacts(): ContactView[];
  contact(action: 'request' | 'accept' | 'decline' | 'block' | 'unblock', user: string): Promise<void>;
  safetyNumber(user: string): Promise<string>;
  chats(): ChatSummary[];
  chat(id: string): ChatSummary;
  /** Search (ADR 0028): messages newest first (paged by `next`), and the ids of matching chats. */
  searchMessages(text: string, query?: MessageSearchQuery): Promise<MessageSearchPage>;
  searchChats(text: string): Promise<string[]>;
  openDirect(user: string): Promise<string>;
  /** Creates the group, then (when given) uploads its icon. */
  createGroup(name: string, description: string, members: readonly string[], icon?: FileInput): Promise<string>;
  group(conversation: string): GroupDetails;
  /** Admins only (the engine refuses others): name, description, icon (an image, or null to drop it). */
  updateGroup(conversation: string, patch: { name?: string; description?: string; icon?: FileInput | null }): Promise<void>;
  members(conversation: string): MemberView[];
  groupAction(action: 'add' | 'remove' | 'promote' | 'demote', conversation: string, user: string): Promise<void>;
  leaveGroup(conversation: string): Promise<void>;
  amAdmin(conversation: string): boolean;
  page(conversation: string, before?: string): Promise<ChatMessage[]>;
  send(conversation: string, text: string, replyTo?: string): Promise<void>;
  /** Encrypts and uploads a file, then sends it as a message. */
  sendFile(conversation: string, file: FileInput, caption: string, progress?: UploadProgress): Promise<void>;
  /** A blob: URL of a decrypted attachment (cached); `progress` follows the encrypted bytes received. */
  attachmentUrl(conversation: string, messageId: string, attachmentId: string, progress?: DownloadProgress): Promise<string>;
  edit(conversation: string, id: string, text: string): Promise<void>;
  /** Delete for everyone (mine only). */
  remove(conversation: string, id: string): Promise<void>;
  /** Delete for me: hidden on my devices only. */
  hide(conversation: string, id: string): Promise<void>;
  react(conversation: string, id: string, emoji: string | null): Promise<void>;
  markRead(conversation: string, id: string): Promise<void>;
  setChatState(conversation: string, patch: { pinned?: boolean; archived?: boolean; muted?: boolean }): Promise<void>;
  typing(conversation: string): void;
  call(): CallView | null;
  onCall(listener: () => void): () => void;
  startCall(conversation: string, kind: 'voice' | 'video'): Promise<void>;
  callAction(action: 'accept' | 'decline' | 'hangUp' | 'shareScreen'): Promise<void>;
  callLog(conversation: string): CallLogEntry[];
  /** Opens the conversation's shared note (offline too). */
  openNote(conversation: string): Promise<SharedNote>;
  /** A group's system lines (empty for direct chats). */
  groupEvents(conversation: string): SystemEntry[];
  setPresence(state: PresenceState): void;
  presence(): PresenceState;
  /** Drops the relay connection (the user's "go offline" switch) or reconnects. */
  setOnline(online: boolean): Promise<void>;
  signOut(): Promise<void>;
}

export interface SignUpInput {
  readonly relay: string;
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
}

export interface ClientFactory {
  signUp(input: SignUpInput): Promise<DemoClient>;
  logIn(input: Omit<SignUpInput, 'displayName'>): Promise<DemoClient>;
  /** Reopens the account this browser profile signed into last, if any. */
  resume(relay: string): Promise<DemoClient | null>;
}
