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
