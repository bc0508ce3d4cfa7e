import { KithError } from '../../errors.js';
import { isUuid, type ConversationId, type UserId } from '../../ids.js';
import { MEMBERSHIP_LIMITS as L, type MemberOp, type MemberOpBody, type Role } from './member-op.js';

/**
 * Validates an untrusted value (the result of JSON.parse, or an app's argument) as a MemberOp
 * and returns a fresh, fully typed copy. Every field is checked; extra keys, wrong types, bad
 * ids, oversized strings and out-of-range integers are rejected with a `malformed` KithError
 * (`unsupported_version` for v ≠ 1). Never reads inherited properties, so `__proto__`,
 * `constructor` and friends cannot smuggle anything in.
 */
export function parseMemberOp(value: unknown): MemberOp {
  const o = record(value, 'op', ['at', 'author', 'body', 'conversation', 'lamport', 'parents', 'v']);
  if (o['v'] !== 1) throw new KithError('unsupported_version', 'membership op version must be 1');
  const conversation = uuid(o['conversation'], 'conversation') as ConversationId;
  const author = uuid(o['author'], 'author') as UserId;
  const parents = parseParents(o['parents']);
  const lamport = int(o['lamport'], 'lamport', 1);
  const at = int(o['at'], 'at', 0);
  const body = parseBody(o['body']);
  if (body.type === 'create') {
    if (parents.length !== 0) bad('create must have no parents');
    if (lamport !== 1) bad('create must have lamport 1');
    if (body.members.some((m) => m.user === author)) bad('create lists its author among the other members');
  } else if (parents.length === 0) {
    bad(`${body.type} must have at least one parent`);
  }
  return { v: 1, conversation, author, parents, lamport, at, body };
}

function parseBody(value: unknown): MemberOpBody {
  const type = isPlainObject(value) && hasOwn(value, 'type') ? value['type'] : undefined;
  switch (type) {
    case 'create': {
      const b = record(value, 'create', ['description', 'icon', 'members', 'name', 'type']);
      const members = parseMembers(b['members']);
      return {
        type,
        name: text(b['name'], 'name', 1, L.maxName),
        description: text(b['description'], 'description', 0, L.maxDescription),
        icon: icon(b['icon']),
        members,
      };
    }
    case 'add':
    case 'role': {
      const b = record(value, type, ['role', 'type', 'user']);
      return { type, user: uuid(b['user'], 'user') as UserId, role: role(b['role']) };
    }
    case 'remove': {
      const b = record(value, 'remove', ['cutoff', 'type', 'user']);
      return { type, user: uuid(b['user'], 'user') as UserId, cutoff: parseCutoff(b['cutoff']) };
    }
    case 'leave': {
      const b = record(value, 'leave', ['cutoff', 'type'], 1);
      return hasOwn(b, 'cutoff') ? { type, cutoff: parseCutoff(b['cutoff']) } : { type };
    }
    case 'info': {
      const b = record(value, 'info', ['description', 'icon', 'name', 'type'], 2);
      const out: MemberOpBody & { type: 'info' } = { type };
      if (hasOwn(b, 'name')) out.name = text(b['name'], 'name', 1, L.maxName);
      if (hasOwn(b, 'description')) out.description = text(b['description'], 'description', 0, L.maxDescription);
      if (hasOwn(b, 'icon')) out.icon = icon(b['icon']);
      return out;
    }
    case 'card': {
      const b = record(value, 'card', ['avatar', 'displayName', 'type', 'username']);
      const username = b['username'];
      if (typeof username !== 'string' || !CARD_USERNAME_RE.test(username)) bad('card username must be 0–64 of a-z 0-9 _ . -');
      return {
        type,
        displayName: text(b['displayName'], 'displayName', 0, L.maxDisplayName),
        username,
        avatar: b['avatar'] === null ? null : text(b['avatar'], 'avatar', 1, L.maxAvatar),
      };
    }
    default:
      return bad('unknown op type');
  }
}

function parseMembers(value: unknown): Array<{ user: UserId; role: Role }> {
  if (!Array.isArray(value)) bad('members must be an array');
  if (value.length > L.maxInitialMembers) bad(`create lists more than ${L.maxInitialMembers} other members`);
  const seen = new Set<string>();
  return value.map((entry: unknown) => {
    const m = record(entry, 'member', ['role', 'user']);
    const user = uuid(m['user'], 'member user') as UserId;
    if (seen.has(user)) bad('create lists a member twice');
    seen.add(user);
    return { user, role: role(m['role']) };
  });
}

function parseParents(value: unknown): string[] {
  if (!Array.isArray(value)) bad('parents must be an array');
  if (value.length > L.maxParents) bad(`more than ${L.maxParents} parents`);
  const out: string[] = [];
  for (const p of value as unknown[]) {
    if (typeof p !== 'string' || !HASH_RE.test(p)) bad('a parent is not a 64-hex hash');
    const prev = out[out.length - 1];
    if (prev !== undefined && prev >= p) bad('parents must be sorted and unique');
    out.push(p);
  }
  return out;
}

const CUTOFF_KEY_RE =
  /^[a-z]{2,12}(:[0-9a-f-]{1,64}){1,4}\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function parseCutoff(value: unknown): Record<string, number> {
  if (!isPlainObject(value)) bad('cutoff must be an object');
  const keys = Object.keys(value);
  if (keys.length > L.maxCutoffEntries) bad(`cutoff has more than ${L.maxCutoffEntries} entries`);
  const out: Record<string, number> = {};
  for (const k of keys.sort()) {
    if (k.length > 250 || !CUTOFF_KEY_RE.test(k)) bad('cutoff key must be `docId|deviceId`');
    out[k] = int(value[k], 'cutoff counter', 0);
  }
  return out;
}

const HASH_RE = /^[0-9a-f]{64}$/;
/** A profile username (model/profile.ts), or empty when the member has none. */
const CARD_USERNAME_RE = /^[a-z0-9_.-]{0,64}$/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function bad(message: string): never {
  throw new KithError('malformed', `membership op: ${message}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A plain object whose own keys are all in `allowed`, with at least `minKeys` of them (default: all). */
function record(value: unknown, what: string, allowed: readonly string[], minKeys = allowed.length): Record<string, unknown> {
  if (!isPlainObject(value)) bad(`${what} must be an object`);
  const keys = Object.keys(value);
  if (Object.getOwnPropertySymbols(value).length > 0) bad(`${what} has symbol keys`);
  for (const k of keys) if (!allowed.includes(k)) bad(`${what} has an unexpected key`);
  if (keys.length < minKeys) bad(`${what} is missing a field`);
  return value;
}

function uuid(value: unknown, what: string): string {
  if (!isUuid(value)) bad(`${what} must be a lowercase UUID`);
  return value;
}

function int(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    bad(`${what} must be a safe integer ≥ ${min}`);
  }
  return value;
}

function role(value: unknown): Role {
  if (value !== 'admin' && value !== 'member') bad('role must be admin or member');
  return value;
}

function text(value: unknown, what: string, min: number, max: number): string {
  if (typeof value !== 'string') bad(`${what} must be a string`);
  // Cheap bound first (a code point is at most 2 UTF-16 units), then the exact count.
  if (value.length > max * 2) bad(`${what} is longer than ${max} characters`);
  const points = countCodePoints(value);
  if (points < min || points > max) bad(`${what} must have ${min}–${max} characters`);
  if (LONE_SURROGATE_RE.test(value)) bad(`${what} is not well-formed Unicode`);
  return value;
}

function icon(value: unknown): string | null {
  return value === null ? null : text(value, 'icon', 1, L.maxIcon);
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
