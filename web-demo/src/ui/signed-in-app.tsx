import { useMemo, type ReactNode } from 'react';
import { KithProvider } from '@kith/react';
import type { DemoClient } from '../adapters/client.js';
import { createChangeCounter } from './change-counter.js';
import { ClientContext } from './client-context.js';
import { AppShell } from './app-shell.js';

/** The signed-in app: @kith/react's provider over the engine, and the client's change counters. */
export function SignedInApp({ client, onSignedOut }: { readonly client: DemoClient; readonly onSignedOut: () => void }): ReactNode {
  const value = useMemo(() => ({ client, changes: createChangeCounter((l) => client.onChange(l)), calls: createChangeCounter((l) => client.onCall(l)) }), [client]);
  return (
    <KithProvider kith={client.engine.kith} sync={client.engine.sync}>
      <ClientContext.Provider value={value}>
        <AppShell onSignedOut={onSignedOut} />
      </ClientContext.Provider>
    </KithProvider>
  );
}
