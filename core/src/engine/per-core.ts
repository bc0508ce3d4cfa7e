import type { Core } from './core.js';

/**
 * One lazily created part per engine core (the hidden set, the quarantine, the feed index, the
 * due timers): `create` runs on first use, and the part lives and dies with its core.
 */
export function perCore<T>(create: (core: Core) => T): (core: Core) => T {
  const byCore = new WeakMap<Core, T>();
  return (core) => {
    let part = byCore.get(core);
    if (part === undefined) {
      part = create(core);
      byCore.set(core, part);
    }
    return part;
  };
}
