-- =====================================================================================
-- Kith — the improved relational design (PostgreSQL 15+)
--
-- This file answers the user's "does this design need updates?" with a design that runs:
-- test/src/schema/schema.test.ts loads it into PostgreSQL (PGlite, in-process), inserts
-- sample rows, runs every named query below and checks that the constraints reject what
-- they exist to reject. docs/data-model.md explains every decision table by table and maps
-- each table onto the CRDT documents of docs/adr/0001-document-layout.md.
--
-- What this schema is: the logical model of Kith's data in its fully synced state — what
-- all of a conversation's members would agree on once every change has arrived. Kith never
-- stores it in one server database (the relay holds only ciphertext); each device projects
-- the part it can read into local IndexedDB tables of the same shape. A device receives
-- changes out of order, so its projection checks these rules by validation rather than by
-- foreign keys; here, in the synced state, they hold as constraints.
--
-- Conventions
-- * Ids are UUIDs chosen by clients, offline, never by the database (no BIGSERIAL, no
--   DEFAULT gen_random_uuid()):
--     users          UUIDv8 = BLAKE2b("kith/user/v1", Ed25519 signing public key)
--     direct convs   UUIDv8 = BLAKE2b("kith/direct/v1", sorted pair of user ids)
--     everything else UUIDv7 from a hybrid logical clock (48-bit ms time, 12-bit counter)
--   (core/src/ids.ts: deriveUserId, directConversationId, createUuidV7).
-- * Times are TIMESTAMPTZ. Enumerations are CREATE TYPE … AS ENUM (not inline ENUM(...)).
-- * Errors raised by triggers start with the Kith error code (core/src/errors.ts), e.g.
--   'receipt_backwards: …', with SQLSTATE 23514 (check_violation).
-- * Named queries follow the DDL; each starts with a line `-- query: <name>` and ends with
--   a semicolon. Parameters are $1, $2, …; later code compares its answers with these.
-- =====================================================================================

-- ----------------------------------------------------------------------------- types
CREATE TYPE conversation_kind AS ENUM ('direct', 'group');
CREATE TYPE member_role AS ENUM ('admin', 'member');
-- One side's stance in a contact relationship (contact:<from>:<to>). No 'blocked': a block is
-- private to the blocker and lives in their own contacts row.
CREATE TYPE contact_stance AS ENUM ('requested', 'accepted', 'declined', 'withdrawn');
CREATE TYPE call_kind AS ENUM ('voice', 'video');
CREATE TYPE call_state AS ENUM ('initiated', 'ringing', 'ongoing', 'completed', 'missed', 'declined');
CREATE TYPE call_end_reason AS ENUM ('hangup', 'cancelled', 'no_answer', 'declined', 'busy', 'failed');
CREATE TYPE call_participant_state AS ENUM ('ringing', 'joined', 'declined', 'missed', 'left');
CREATE TYPE hash_alg AS ENUM ('sha256', 'blake2b');

-- ------------------------------------------------------------------------- functions
-- The version nibble of a UUID (7 for time-ordered ids, 8 for derived ids).
CREATE FUNCTION uuid_version(id uuid) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ('x' || substr(id::text, 15, 1))::bit(4)::int;

-- The creation time embedded in a UUIDv7 (its leading 48 bits, milliseconds since 1970).
CREATE FUNCTION uuid_v7_time(id uuid) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN timestamptz 'epoch'
  + ('x' || lpad(substr(replace(id::text, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint
    * interval '1 millisecond';

-- PostgreSQL has no max(uuid); watermarks need one (the highest message id over devices).
CREATE FUNCTION uuid_larger(a uuid, b uuid) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN GREATEST(a, b);
CREATE AGGREGATE uuid_max(uuid) (SFUNC = uuid_larger, STYPE = uuid, COMBINEFUNC = uuid_larger, PARALLEL = SAFE);

-- updated_at maintenance. DEFAULT now() only fills the column on INSERT; without this trigger
-- an UPDATE leaves it stale. A writer that supplies its own time (a projection copying the
-- CRDT change's HLC time) keeps it; otherwise the update is stamped now().
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

-- ----------------------------------------------------------------------------- users
-- An account is its public keys. No email and no password: the relay never learns either
-- (the password only unlocks an encrypted key backup on the device; see crypto/backup).
-- Presence ("online", "away", "last seen") is ephemeral and never stored.
CREATE TABLE users (
  id              uuid PRIMARY KEY,
  signing_key     bytea NOT NULL UNIQUE,              -- Ed25519 public key; id derives from it
  agreement_key   bytea NOT NULL,                     -- X25519 public key, signed by signing_key
  agreement_sig   bytea NOT NULL,                     -- Ed25519 signature over agreement_key
  username        text NOT NULL,                      -- handle in the relay's directory
  display_name    text NOT NULL DEFAULT '',
  about           text NOT NULL DEFAULT '',
  avatar_blob_id  text,                               -- encrypted blob on the relay (content address)
  avatar_key      bytea,                              -- its 32-byte XChaCha20 key (inside E2EE docs only)
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_id_derived CHECK (uuid_version(id) = 8),
  CONSTRAINT users_signing_key_len CHECK (octet_length(signing_key) = 32),
  CONSTRAINT users_agreement_key_len CHECK (octet_length(agreement_key) = 32),
  CONSTRAINT users_agreement_sig_len CHECK (octet_length(agreement_sig) = 64),
  CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9_.-]{1,64}$'),
  CONSTRAINT users_display_name_len CHECK (char_length(display_name) <= 100),
  CONSTRAINT users_about_len CHECK (char_length(about) <= 500),
  CONSTRAINT users_avatar_blob CHECK (avatar_blob_id IS NULL OR avatar_blob_id ~ '^[0-9a-f]{64}$'),
  CONSTRAINT users_avatar_pair CHECK ((avatar_blob_id IS NULL) = (avatar_key IS NULL)),
  CONSTRAINT users_avatar_key_len CHECK (avatar_key IS NULL OR octet_length(avatar_key) = 32)
);
-- Unique without regard to case, as the relay's directory enforces it ("Alice" and "alice" are one
-- name; the format already asks for lowercase, the index keeps the rule if the format widens).
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));
CREATE TRIGGER users_touch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- -------------------------------------------------------------------------- contacts
-- Contacts are directional. Two tables replace the seed's single smaller-UUID-first row:
--
-- contact_requests: one row per direction, written only by `from_id` (doc contact:<from>:<to>,
-- readable by both). The relationship is derived from the two stances (query contact_list):
-- both sides requested/accepted → accepted; one side requested → pending (outgoing/incoming).
CREATE TABLE contact_requests (
  from_id     uuid NOT NULL REFERENCES users (id),
  to_id       uuid NOT NULL REFERENCES users (id),
  stance      contact_stance NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (from_id, to_id),
  CONSTRAINT contact_requests_not_self CHECK (from_id <> to_id)
);
CREATE INDEX contact_requests_to ON contact_requests (to_id);
CREATE TRIGGER contact_requests_touch BEFORE UPDATE ON contact_requests
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- contacts: the owner's private address book (doc account:<owner>, owner's devices only):
-- nickname and a one-sided, private block. Nothing about a block is ever written where the
-- blocked user can read it; the blocker's devices simply drop the blocked user's changes to
-- direct conversations and requests.
CREATE TABLE contacts (
  owner_id    uuid NOT NULL REFERENCES users (id),
  contact_id  uuid NOT NULL REFERENCES users (id),
  nickname    text,
  blocked_at  timestamptz,                            -- NULL = not blocked
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_id, contact_id),
  CONSTRAINT contacts_not_self CHECK (owner_id <> contact_id),
  CONSTRAINT contacts_nickname_len CHECK (nickname IS NULL OR char_length(nickname) BETWEEN 1 AND 100)
);
CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- --------------------------------------------------------------------- conversations
-- One table for both kinds. A direct conversation names its pair; a unique index on the
-- unordered pair keeps exactly one per pair whichever order it is written in, and its id is
-- derived from the pair, so two people starting the chat offline at once create the same row.
CREATE TABLE conversations (
  id          uuid PRIMARY KEY,
  kind        conversation_kind NOT NULL,
  direct_a    uuid REFERENCES users (id),             -- direct only: the pair
  direct_b    uuid REFERENCES users (id),
  created_at  timestamptz NOT NULL,                   -- direct: the earliest time either side opened it
  UNIQUE (id, kind),                                  -- target of groups' kind-checking FK
  CONSTRAINT conversations_pair CHECK (
    (kind = 'direct' AND direct_a IS NOT NULL AND direct_b IS NOT NULL AND direct_a <> direct_b)
    OR (kind = 'group' AND direct_a IS NULL AND direct_b IS NULL)),
  -- Both kinds of conversation id are derived (UUIDv8): a direct chat's from the pair, a
  -- group's from its creator and creation time (membership rule MEM-0), so no one else can
  -- claim to have created it.
  CONSTRAINT conversations_id_version CHECK (uuid_version(id) = 8)
);
CREATE UNIQUE INDEX conversations_one_direct_per_pair
  ON conversations (LEAST(direct_a, direct_b), GREATEST(direct_a, direct_b))
  WHERE kind = 'direct';

-- groups: what only a group has (doc members:<conv>, `create`/`info` ops by admins).
-- The composite FK with a constant kind makes "a group row for a direct conversation" impossible.
CREATE TABLE groups (
  conversation_id uuid PRIMARY KEY,
  kind            conversation_kind NOT NULL DEFAULT 'group' CHECK (kind = 'group'),
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  icon_blob_id    text,
  icon_key        bytea,
  creator_id      uuid NOT NULL REFERENCES users (id),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (conversation_id, kind) REFERENCES conversations (id, kind),
  CONSTRAINT groups_name_len CHECK (char_length(name) BETWEEN 1 AND 100 AND name ~ '[^[:space:]]'),
  CONSTRAINT groups_description_len CHECK (char_length(description) <= 2000),
  CONSTRAINT groups_icon_blob CHECK (icon_blob_id IS NULL OR icon_blob_id ~ '^[0-9a-f]{64}$'),
  CONSTRAINT groups_icon_pair CHECK ((icon_blob_id IS NULL) = (icon_key IS NULL)),
  CONSTRAINT groups_icon_key_len CHECK (icon_key IS NULL OR octet_length(icon_key) = 32)
);
CREATE TRIGGER groups_touch BEFORE UPDATE ON groups
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- conversation_members: the one membership table (replaces conversation_participants AND
-- group_members). A row is one membership period: leaving or removal closes it (left_at),
-- re-adding opens a new one, so history keeps who could read what and when.
CREATE TABLE conversation_members (
  conversation_id uuid NOT NULL REFERENCES conversations (id),
  user_id         uuid NOT NULL REFERENCES users (id),
  joined_at       timestamptz NOT NULL,
  role            member_role NOT NULL DEFAULT 'member',
  added_by        uuid REFERENCES users (id),          -- NULL: the creator, or a direct pair
  left_at         timestamptz,                          -- NULL: current member
  removed_by      uuid REFERENCES users (id),           -- NULL with left_at: left by themself
  PRIMARY KEY (conversation_id, user_id, joined_at),
  CONSTRAINT members_left_after_join CHECK (left_at IS NULL OR left_at >= joined_at),
  CONSTRAINT members_removed_needs_left CHECK (removed_by IS NULL OR left_at IS NOT NULL),
  CONSTRAINT members_not_added_by_self CHECK (added_by IS NULL OR added_by <> user_id)
);
-- At most one open period per member.
CREATE UNIQUE INDEX members_one_current ON conversation_members (conversation_id, user_id)
  WHERE left_at IS NULL;
-- "My conversations" (chat list) without scanning every conversation.
CREATE INDEX members_by_user ON conversation_members (user_id) WHERE left_at IS NULL;

-- Was `usr` a member of `conv` at time `at`? (membership periods are half-open [joined, left)).
CREATE FUNCTION is_member_at(conv uuid, usr uuid, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE
RETURN EXISTS (
  SELECT 1 FROM conversation_members cm
  WHERE cm.conversation_id = conv AND cm.user_id = usr
    AND cm.joined_at <= at AND (cm.left_at IS NULL OR at < cm.left_at));

-- A direct conversation's members are exactly its pair, as plain members added by nobody.
CREATE FUNCTION check_member_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE c conversations%ROWTYPE;
BEGIN
  SELECT * INTO c FROM conversations WHERE id = NEW.conversation_id;
  IF c.kind = 'direct' AND (NEW.user_id NOT IN (c.direct_a, c.direct_b)
       OR NEW.role <> 'member' OR NEW.added_by IS NOT NULL) THEN
    RAISE EXCEPTION 'not_a_member: a direct conversation has exactly its two users as members'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER members_check BEFORE INSERT OR UPDATE ON conversation_members
  FOR EACH ROW EXECUTE FUNCTION check_member_row();

-- ---------------------------------------------------------------- per-user conversation state
-- Doc account:<user>, collection convState: only the user's own devices see it.
CREATE TABLE conversation_user_state (
  user_id          uuid NOT NULL REFERENCES users (id),
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  pinned           boolean NOT NULL DEFAULT false,
  archived         boolean NOT NULL DEFAULT false,
  muted_until      timestamptz,                      -- NULL: not muted; 'infinity': forever
  cleared_up_to    uuid,                             -- "clear chat": hide messages with id <= this
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, conversation_id)
);
CREATE TRIGGER conversation_user_state_touch BEFORE UPDATE ON conversation_user_state
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- -------------------------------------------------------------------------- messages
-- Doc feed:<conv>:<sender>:<n>, collection msg (only the sender writes it).
-- Order: the id is a UUIDv7 from the sender's hybrid logical clock; created_at is exactly the
-- time inside the id (CHECK), so ORDER BY (created_at, id) is ORDER BY id: total and the same
-- on every device, even for messages created in the same millisecond.
CREATE TABLE messages (
  id               uuid PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  sender_id        uuid NOT NULL REFERENCES users (id),
  body             text,                               -- NULL: attachment-only, or deleted
  reply_to_id      uuid,                               -- quoted message, same conversation
  forwarded        boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  edited_at        timestamptz,
  deleted_at       timestamptz,                        -- delete for everyone: a tombstone
  UNIQUE (conversation_id, id),                        -- target of the reply FK
  FOREIGN KEY (conversation_id, reply_to_id) REFERENCES messages (conversation_id, id),
  CONSTRAINT messages_id_v7 CHECK (uuid_version(id) = 7),
  CONSTRAINT messages_created_is_id_time CHECK (created_at = uuid_v7_time(id)),
  CONSTRAINT messages_body_not_blank CHECK (body IS NULL OR body ~ '[^[:space:]]'),
  CONSTRAINT messages_body_size CHECK (body IS NULL OR octet_length(body) <= 65536),
  CONSTRAINT messages_not_self_reply CHECK (reply_to_id <> id),
  CONSTRAINT messages_edit_after_create CHECK (edited_at IS NULL OR edited_at >= created_at),
  CONSTRAINT messages_delete_after_create CHECK (deleted_at IS NULL OR deleted_at >= created_at),
  CONSTRAINT messages_tombstone_empty CHECK (deleted_at IS NULL OR body IS NULL)
);
-- Keyset pagination within a conversation (conversation_page, chat_list's last message).
CREATE INDEX messages_page ON messages (conversation_id, created_at, id);
CREATE INDEX messages_reply_to ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;

-- Rules a CHECK cannot express: the sender is a member when the message is created; nothing
-- but body/edited_at/deleted_at ever changes; a tombstone is final (no edit, no undelete)
-- and takes the message's attachments and reactions with it.
CREATE FUNCTION check_message_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT is_member_at(NEW.conversation_id, NEW.sender_id, NEW.created_at) THEN
      RAISE EXCEPTION 'not_a_member: the sender is not a member of the conversation'
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.conversation_id, NEW.sender_id, NEW.created_at, NEW.forwarded)
       IS DISTINCT FROM (OLD.conversation_id, OLD.sender_id, OLD.created_at, OLD.forwarded)
     OR NEW.reply_to_id IS DISTINCT FROM OLD.reply_to_id THEN
    RAISE EXCEPTION 'invalid_argument: only a message''s text can be edited'
      USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'message_deleted: a deleted message cannot change'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.deleted_at IS NULL AND NEW.body IS DISTINCT FROM OLD.body
     AND (NEW.edited_at IS NULL OR NEW.edited_at <= COALESCE(OLD.edited_at, '-infinity')) THEN
    RAISE EXCEPTION 'invalid_argument: an edit must move edited_at forward'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER messages_check BEFORE INSERT OR UPDATE ON messages
  FOR EACH ROW EXECUTE FUNCTION check_message_write();

-- ---------------------------------------------------------------------- attachments
-- Carried inside the message (msg value). The file itself is an encrypted blob on the relay,
-- addressed by the hash of its ciphertext; the key and the plaintext hash travel only inside
-- the end-to-end encrypted message, so the relay can store and serve the blob but not read it.
CREATE TABLE message_attachments (
  id           uuid PRIMARY KEY,
  message_id   uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  position     smallint NOT NULL,                     -- order within the message
  blob_id      text NOT NULL,                         -- BLAKE2b-256 hex of the ciphertext
  content_key  bytea NOT NULL,                        -- XChaCha20-Poly1305 key of the blob
  hash_alg     hash_alg NOT NULL DEFAULT 'sha256',    -- plaintext hash, verified after decrypting
  content_hash bytea NOT NULL,
  mime_type    text NOT NULL,
  size_bytes   bigint NOT NULL,                       -- plaintext size
  file_name    text,
  width        integer,                               -- images and video
  height       integer,
  duration_ms  integer,                               -- audio and video
  thumbnail    bytea,                                 -- tiny inline preview (optional)
  created_at   timestamptz NOT NULL,
  UNIQUE (message_id, position),
  CONSTRAINT attachments_id_v7 CHECK (uuid_version(id) = 7),
  CONSTRAINT attachments_position CHECK (position BETWEEN 0 AND 31),
  CONSTRAINT attachments_blob_id CHECK (blob_id ~ '^[0-9a-f]{64}$'),
  CONSTRAINT attachments_key_len CHECK (octet_length(content_key) = 32),
  CONSTRAINT attachments_hash_len CHECK (octet_length(content_hash) = 32),
  CONSTRAINT attachments_mime CHECK (mime_type ~ '^[a-z]+/[a-z0-9.+-]+$' AND char_length(mime_type) <= 100),
  CONSTRAINT attachments_size CHECK (size_bytes > 0 AND size_bytes <= 2147483648),
  CONSTRAINT attachments_name CHECK (file_name IS NULL
    OR (char_length(file_name) BETWEEN 1 AND 255 AND file_name !~ '[/\\]')),
  CONSTRAINT attachments_dimensions CHECK ((width IS NULL) = (height IS NULL)
    AND (width IS NULL OR (width > 0 AND height > 0))),
  CONSTRAINT attachments_duration CHECK (duration_ms IS NULL OR duration_ms >= 0),
  CONSTRAINT attachments_thumbnail CHECK (thumbnail IS NULL OR octet_length(thumbnail) <= 16384)
);

-- ------------------------------------------------------------------------ reactions
-- Doc feed:<conv>:<reactor>:<n>, collection react (messageId → emoji). One reaction per
-- member per message: reacting again replaces it (UPSERT), removing deletes the row.
CREATE TABLE message_reactions (
  message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users (id),
  emoji       text NOT NULL,
  reacted_at  timestamptz NOT NULL,
  PRIMARY KEY (message_id, user_id),
  CONSTRAINT reactions_emoji CHECK (char_length(emoji) BETWEEN 1 AND 32 AND emoji !~ '[[:space:][:cntrl:]]')
);
CREATE INDEX reactions_by_user ON message_reactions (user_id);

CREATE FUNCTION check_reaction_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE m messages%ROWTYPE;
BEGIN
  SELECT * INTO m FROM messages WHERE id = NEW.message_id;
  IF m.deleted_at IS NOT NULL THEN
    RAISE EXCEPTION 'message_deleted: cannot react to a deleted message'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT is_member_at(m.conversation_id, NEW.user_id, NEW.reacted_at) THEN
    RAISE EXCEPTION 'not_a_member: only members react'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER reactions_check BEFORE INSERT OR UPDATE ON message_reactions
  FOR EACH ROW EXECUTE FUNCTION check_reaction_write();

-- A tombstone clears the message: its attachments (and their keys) and reactions go too.
CREATE FUNCTION clear_tombstoned_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_attachments WHERE message_id = NEW.id;
  DELETE FROM message_reactions WHERE message_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_tombstone AFTER UPDATE OF deleted_at ON messages
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
  EXECUTE FUNCTION clear_tombstoned_message();

-- Delete for me: doc account:<user>, collection hidden (message id → { conversation, at }).
-- Private to the user (only their devices read their account document); the message stays for
-- everyone else. Pages leave hidden messages out on the user's devices.
CREATE TABLE hidden_messages (
  user_id     uuid NOT NULL REFERENCES users (id),
  message_id  uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  hidden_at   timestamptz NOT NULL,
  PRIMARY KEY (user_id, message_id)
);

-- ------------------------------------------------------------------------- receipts
-- Doc feed:<conv>:<member>:<n>, collection rcpt (deviceId → { delivered, read }).
-- Per member and device, two watermarks: "everything up to this message id has been
-- delivered / read". members × devices rows instead of messages × members; per-message
-- status is derived (query message_receipts). A watermark never moves backwards.
CREATE TABLE receipt_watermarks (
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  user_id          uuid NOT NULL REFERENCES users (id),
  device_id        uuid NOT NULL,
  delivered_up_to  uuid NOT NULL,                     -- a message id (UUIDv7 order)
  read_up_to       uuid,                              -- NULL: nothing read yet on this device
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, user_id, device_id),
  CONSTRAINT receipts_read_implies_delivered CHECK (read_up_to IS NULL OR read_up_to <= delivered_up_to)
);

-- Local rule: an explicit UPDATE that lowers a watermark is an error (receipt_backwards).
-- Remote changes are merged with GREATEST instead (statement receipt_merge), so a stale one
-- is ignored rather than refused.
CREATE FUNCTION check_receipt_forward() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.delivered_up_to < OLD.delivered_up_to
     OR (OLD.read_up_to IS NOT NULL AND (NEW.read_up_to IS NULL OR NEW.read_up_to < OLD.read_up_to)) THEN
    RAISE EXCEPTION 'receipt_backwards: a receipt watermark cannot move backwards'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER receipts_forward BEFORE UPDATE ON receipt_watermarks
  FOR EACH ROW EXECUTE FUNCTION check_receipt_forward();
CREATE TRIGGER receipts_touch BEFORE UPDATE ON receipt_watermarks
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A member's watermark is the highest over their devices.
CREATE VIEW member_watermarks AS
SELECT conversation_id, user_id,
       uuid_max(delivered_up_to) AS delivered_up_to,
       uuid_max(read_up_to)      AS read_up_to
FROM receipt_watermarks
GROUP BY conversation_id, user_id;

-- ---------------------------------------------------------------------------- calls
-- Doc feed:<conv>:<caller>:<n>, collection call. The signaling itself (offers, answers, ICE
-- candidates) is ephemeral, forwarded by the relay, and never stored.
CREATE TABLE calls (
  id               uuid PRIMARY KEY,
  conversation_id  uuid NOT NULL REFERENCES conversations (id),
  caller_id        uuid NOT NULL REFERENCES users (id),
  kind             call_kind NOT NULL,
  state            call_state NOT NULL,
  started_at       timestamptz NOT NULL,              -- when the caller placed the call
  answered_at      timestamptz,                       -- first callee connected
  ended_at         timestamptz,
  end_reason       call_end_reason,
  CONSTRAINT calls_id_v7 CHECK (uuid_version(id) = 7),
  CONSTRAINT calls_ended CHECK (
    (state IN ('completed', 'missed', 'declined')) = (ended_at IS NOT NULL)
    AND (ended_at IS NULL) = (end_reason IS NULL)),
  CONSTRAINT calls_answered CHECK (
    (state IN ('ongoing', 'completed')) = (answered_at IS NOT NULL)),
  CONSTRAINT calls_times CHECK (
    (answered_at IS NULL OR answered_at >= started_at)
    AND (ended_at IS NULL OR ended_at >= COALESCE(answered_at, started_at))),
  CONSTRAINT calls_reason_fits CHECK (
    (state <> 'completed' OR end_reason IN ('hangup', 'failed'))
    AND (state <> 'missed' OR end_reason IN ('no_answer', 'cancelled', 'busy', 'failed'))
    AND (state <> 'declined' OR end_reason = 'declined'))
);
CREATE INDEX calls_by_conversation ON calls (conversation_id, started_at, id);

CREATE FUNCTION check_call_member() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE conv uuid; at timestamptz;
BEGIN
  IF TG_TABLE_NAME = 'calls' THEN
    conv := NEW.conversation_id; at := NEW.started_at;
    IF NOT is_member_at(conv, NEW.caller_id, at) THEN
      RAISE EXCEPTION 'not_a_member: the caller is not a member' USING ERRCODE = 'check_violation';
    END IF;
  ELSE
    SELECT c.conversation_id, c.started_at INTO conv, at FROM calls c WHERE c.id = NEW.call_id;
    IF NOT is_member_at(conv, NEW.user_id, at) THEN
      RAISE EXCEPTION 'not_a_member: a call participant must be a member' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER calls_check BEFORE INSERT ON calls
  FOR EACH ROW EXECUTE FUNCTION check_call_member();

-- Each participant writes their own row (collection callp in their feed). A participant who
-- never answered is 'missed' once the call has ended; one who drops and rejoins keeps one row.
CREATE TABLE call_participants (
  call_id    uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users (id),
  state      call_participant_state NOT NULL,
  joined_at  timestamptz,
  left_at    timestamptz,
  PRIMARY KEY (call_id, user_id),
  CONSTRAINT call_participants_joined CHECK ((state IN ('joined', 'left')) = (joined_at IS NOT NULL)),
  CONSTRAINT call_participants_left CHECK ((state = 'left') = (left_at IS NOT NULL)),
  CONSTRAINT call_participants_times CHECK (left_at IS NULL OR joined_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX call_participants_by_user ON call_participants (user_id);
CREATE TRIGGER call_participants_check BEFORE INSERT ON call_participants
  FOR EACH ROW EXECUTE FUNCTION check_call_member();

-- Screen shares (the seed's screen_share_logs). The sharer must be a participant of the call
-- (composite FK), and a call has at most one share running at a time.
CREATE TABLE screen_shares (
  id          uuid PRIMARY KEY,
  call_id     uuid NOT NULL,
  sharer_id   uuid NOT NULL,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  FOREIGN KEY (call_id, sharer_id) REFERENCES call_participants (call_id, user_id) ON DELETE CASCADE,
  CONSTRAINT screen_shares_id_v7 CHECK (uuid_version(id) = 7),
  CONSTRAINT screen_shares_times CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX screen_shares_one_running ON screen_shares (call_id) WHERE ended_at IS NULL;
CREATE INDEX screen_shares_by_call ON screen_shares (call_id, started_at);

-- =====================================================================================
-- Named queries
-- =====================================================================================

-- query: seed_example_corrected
-- The seed's "fetch all messages in a conversation", corrected: users' key is `id` (the seed
-- joined on u.user_id, which does not exist), the column is `body`, deleted messages show as
-- tombstones, and the order has a tie-breaker so equal timestamps come back in one order.
-- $1 conversation id. (For real screens use conversation_page: this reads the whole history.)
SELECT m.id, m.body, m.created_at, u.username, (m.deleted_at IS NOT NULL) AS deleted
FROM messages m
JOIN users u ON m.sender_id = u.id
WHERE m.conversation_id = $1
ORDER BY m.created_at, m.id;

-- query: conversation_page
-- One page of a conversation, newest first, by keyset: $1 conversation, $2 viewer (hides what
-- they cleared), $3/$4 cursor = (created_at, id) of the oldest message already shown, or NULL
-- for the newest page, $5 page size. Uses index messages_page; cost grows with the page, not
-- with the history (OFFSET would read and discard every earlier row).
SELECT m.id, m.sender_id, u.username, m.body, m.reply_to_id, m.forwarded,
       m.created_at, m.edited_at, (m.deleted_at IS NOT NULL) AS deleted,
       (SELECT count(*) FROM message_attachments a WHERE a.message_id = m.id)::int AS attachments
FROM messages m
JOIN users u ON u.id = m.sender_id
LEFT JOIN conversation_user_state s ON s.conversation_id = m.conversation_id AND s.user_id = $2
WHERE m.conversation_id = $1
  AND (m.created_at, m.id) < (COALESCE($3::timestamptz, 'infinity'),
                              COALESCE($4::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
  AND (s.cleared_up_to IS NULL OR m.id > s.cleared_up_to)
ORDER BY m.created_at DESC, m.id DESC
LIMIT $5;

-- query: chat_list
-- The viewer's ($1) conversations: title, last visible message, unread count (others'
-- messages after the viewer's read watermark, over all their devices, and after what they
-- cleared), per-user state. Pinned first, then by last activity, then id (deterministic).
-- Both the last message and the unread count are range scans of index messages_page: the
-- unread bound is a message id, turned into the (created_at, id) key by uuid_v7_time, so the
-- count reads the unread messages only, not the history.
SELECT c.id, c.kind,
       COALESCE(g.name, NULLIF(peer.display_name, ''), peer.username) AS title,
       last.id AS last_message_id, last.sender_id AS last_sender_id,
       last.body AS last_body, last.deleted AS last_deleted,
       COALESCE(last.created_at, c.created_at) AS last_activity,
       (SELECT count(*) FROM messages m
         WHERE m.conversation_id = c.id
           AND (m.created_at, m.id) > (uuid_v7_time(seen.up_to), seen.up_to)
           AND m.sender_id <> $1 AND m.deleted_at IS NULL)::int AS unread,
       COALESCE(s.pinned, false) AS pinned,
       COALESCE(s.archived, false) AS archived,
       (s.muted_until IS NOT NULL AND s.muted_until > now()) AS muted
FROM conversation_members me
JOIN conversations c ON c.id = me.conversation_id
LEFT JOIN groups g ON g.conversation_id = c.id
LEFT JOIN users peer ON c.kind = 'direct'
     AND peer.id = CASE WHEN c.direct_a = $1 THEN c.direct_b ELSE c.direct_a END
LEFT JOIN conversation_user_state s ON s.conversation_id = c.id AND s.user_id = $1
LEFT JOIN member_watermarks w ON w.conversation_id = c.id AND w.user_id = $1
CROSS JOIN LATERAL (                                   -- nil UUIDv7 (1970) when nothing was read
  SELECT GREATEST(w.read_up_to, s.cleared_up_to, '00000000-0000-7000-8000-000000000000'::uuid) AS up_to) seen
LEFT JOIN LATERAL (
  SELECT m.id, m.sender_id, m.body, m.created_at, (m.deleted_at IS NOT NULL) AS deleted
  FROM messages m
  WHERE m.conversation_id = c.id
    AND (s.cleared_up_to IS NULL OR m.id > s.cleared_up_to)
  ORDER BY m.created_at DESC, m.id DESC
  LIMIT 1) last ON true
WHERE me.user_id = $1 AND me.left_at IS NULL
ORDER BY COALESCE(s.pinned, false) DESC, last_activity DESC, c.id;

-- query: group_members
-- A group's ($1) current members with roles: admins first, then by join time, then id.
SELECT cm.user_id, u.username, cm.role, adder.username AS added_by, cm.joined_at
FROM conversation_members cm
JOIN users u ON u.id = cm.user_id
LEFT JOIN users adder ON adder.id = cm.added_by
WHERE cm.conversation_id = $1 AND cm.left_at IS NULL
ORDER BY (cm.role = 'admin') DESC, cm.joined_at, cm.user_id;

-- query: message_receipts
-- "Message info" for message $1: for every member who was in the conversation when it was
-- sent (except the sender), its status derived from their watermarks.
SELECT cm.user_id, u.username,
       CASE WHEN w.read_up_to >= m.id THEN 'read'
            WHEN w.delivered_up_to >= m.id THEN 'delivered'
            ELSE 'sent' END AS status
FROM messages m
JOIN conversation_members cm ON cm.conversation_id = m.conversation_id
     AND cm.joined_at <= m.created_at AND (cm.left_at IS NULL OR m.created_at < cm.left_at)
JOIN users u ON u.id = cm.user_id
LEFT JOIN member_watermarks w ON w.conversation_id = m.conversation_id AND w.user_id = cm.user_id
WHERE m.id = $1 AND cm.user_id <> m.sender_id
ORDER BY u.username, cm.user_id;

-- query: message_reactions
-- Reactions on message $1 grouped by emoji: most used first, then the earliest, then emoji.
SELECT r.emoji, count(*)::int AS count,
       array_agg(u.username ORDER BY r.reacted_at, r.user_id) AS users
FROM message_reactions r
JOIN users u ON u.id = r.user_id
WHERE r.message_id = $1
GROUP BY r.emoji
ORDER BY count(*) DESC, min(r.reacted_at), r.emoji;

-- query: contact_list
-- The viewer's ($1) contacts: the relationship derived from both directions' stances (the
-- same rule as core's deriveContactStatus: my own block first, then both open → accepted,
-- then my open request → outgoing or declined, then theirs → incoming or declined), plus the
-- viewer's own nickname and private block. The other side's block is not in any table the
-- viewer can read, so it cannot show up here.
SELECT other.id AS user_id, other.username, mine.stance AS my_stance, theirs.stance AS their_stance,
       CASE WHEN book.blocked_at IS NOT NULL THEN 'blocked'
            WHEN mine.stance IN ('requested', 'accepted') AND theirs.stance IN ('requested', 'accepted')
              THEN 'accepted'
            WHEN mine.stance IN ('requested', 'accepted')
              THEN CASE WHEN theirs.stance = 'declined' THEN 'declined' ELSE 'outgoing' END
            WHEN theirs.stance IN ('requested', 'accepted')
              THEN CASE WHEN mine.stance = 'declined' THEN 'declined' ELSE 'incoming' END
            ELSE 'none' END AS relationship,
       book.nickname, (book.blocked_at IS NOT NULL) AS blocked
FROM (SELECT to_id AS id FROM contact_requests WHERE from_id = $1
      UNION SELECT from_id FROM contact_requests WHERE to_id = $1
      UNION SELECT contact_id FROM contacts WHERE owner_id = $1) ids
JOIN users other ON other.id = ids.id
LEFT JOIN contact_requests mine ON mine.from_id = $1 AND mine.to_id = other.id
LEFT JOIN contact_requests theirs ON theirs.from_id = other.id AND theirs.to_id = $1
LEFT JOIN contacts book ON book.owner_id = $1 AND book.contact_id = other.id
ORDER BY other.username, other.id;

-- query: call_history
-- Calls in conversation $1, newest first: caller, kind, outcome, duration, participants.
SELECT ca.id, u.username AS caller, ca.kind, ca.state, ca.end_reason,
       (EXTRACT(EPOCH FROM (ca.ended_at - ca.answered_at)) * 1000)::bigint AS duration_ms,
       (SELECT count(*) FROM call_participants p WHERE p.call_id = ca.id AND p.joined_at IS NOT NULL)::int
         AS joined,
       (SELECT count(*) FROM screen_shares sh WHERE sh.call_id = ca.id)::int AS screen_shares
FROM calls ca
JOIN users u ON u.id = ca.caller_id
WHERE ca.conversation_id = $1
ORDER BY ca.started_at DESC, ca.id DESC;

-- query: receipt_merge
-- Apply a receipt change from another device or peer ($1 conversation, $2 member, $3 device,
-- $4 delivered, $5 read): the watermarks only move forward; a stale value is ignored.
INSERT INTO receipt_watermarks AS r (conversation_id, user_id, device_id, delivered_up_to, read_up_to)
VALUES ($1, $2, $3, GREATEST($4::uuid, $5::uuid), $5)
ON CONFLICT (conversation_id, user_id, device_id) DO UPDATE
SET delivered_up_to = GREATEST(r.delivered_up_to, EXCLUDED.delivered_up_to),
    read_up_to = GREATEST(r.read_up_to, EXCLUDED.read_up_to)
RETURNING delivered_up_to, read_up_to;

-- query: react
-- Set member $2's reaction on message $1 to emoji $3 at $4: one per member per message, a
-- second reaction replaces the first.
INSERT INTO message_reactions AS r (message_id, user_id, emoji, reacted_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (message_id, user_id) DO UPDATE
SET emoji = EXCLUDED.emoji, reacted_at = EXCLUDED.reacted_at
WHERE r.reacted_at <= EXCLUDED.reacted_at
RETURNING emoji;
