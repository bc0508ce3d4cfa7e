/**
 * Usernames this profile looked up at the relay's directory, by user id, kept in localStorage
 * (no secrets: the relay's directory is public). Someone's profile document reaches this device
 * only once they accept a request or write where this device reads; until then this book names them.
 */
export interface UsernameBook {
  get(user: string): string | undefined;
  remember(user: string, username: string): void;
}

export function createUsernameBook(me: string, store: Pick<Storage, 'getItem' | 'setItem'> = localStorage): UsernameBook {
  const key = `kith-demo/usernames/${me}`;
  const names = new Map<string, string>();
  try {
    const saved: unknown = JSON.parse(store.getItem(key) ?? '{}');
    if (typeof saved === 'object' && saved !== null) for (const [u, n] of Object.entries(saved)) if (typeof n === 'string' && /^[a-z0-9_.]{3,32}$/.test(n)) names.set(u, n);
  } catch {
    // a damaged entry names nobody
  }
  return {
    get: (user) => names.get(user),
    remember(user, username) {
      if (names.get(user) === username) return;
      names.set(user, username);
      store.setItem(key, JSON.stringify(Object.fromEntries(names)));
    },
  };
}

/** What a person is shown as, and whether that name is only their own claim (DIR-4, ADR 0027). */
export interface PersonName {
  readonly name: string;
  /** A group member who is not my contact: the name is what they call themselves. */
  readonly stranger: boolean;
}

/** Shown beside a stranger's name (as Signal and WhatsApp mark names people chose themselves). */
export const NOT_A_CONTACT = 'not in your contacts';

/**
 * A co-member who is not a contact is shown as "~Name" (her own card, `source` 'member'), so her
 * self-chosen name cannot pass for a contact's; anyone else by `known` (the app's usual name).
 */
export function personName(profile: { readonly source: string; readonly displayName: string; readonly username: string }, known: string): PersonName {
  if (profile.source !== 'member') return { name: known, stranger: false };
  const own = profile.displayName.trim() || profile.username;
  return own === '' ? { name: known, stranger: true } : { name: `~${own}`, stranger: true };
}
