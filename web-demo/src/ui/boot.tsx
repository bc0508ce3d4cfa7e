import { useEffect, useState, type ReactNode } from 'react';
import type { ClientFactory, DemoClient } from '../adapters/client.js';
import { hasSavedAccount, loadClientFactory } from '../adapters/load-client-factory.js';
import { errorText } from '../format.js';
import { AuthForm } from './auth-form.js';
import { SignedInApp } from './signed-in-app.js';

type Phase = { readonly kind: 'opening' } | { readonly kind: 'fatal'; readonly message: string } | { readonly kind: 'auth' } | { readonly kind: 'in'; readonly client: DemoClient };

// The SDK (wasm crypto, CRDTs, IndexedDB) loads on demand: the sign-in screen shows at once.
let loading: Promise<ClientFactory> | undefined;
const factory = (): Promise<ClientFactory> => (loading ??= loadClientFactory());

/** Reopens the saved account, else shows sign-up / log-in; then the signed-in app. */
export function Boot({ relay }: { readonly relay: string }): ReactNode {
  const [phase, setPhase] = useState<Phase>(() => (hasSavedAccount() ? { kind: 'opening' } : { kind: 'auth' }));
  useEffect(() => {
    if (phase.kind !== 'opening') return;
    let live = true;
    factory()
      .then((f) => f.resume(relay))
      .then(
        (client) => live && setPhase(client === null ? { kind: 'auth' } : { kind: 'in', client }),
        (e: unknown) => live && setPhase({ kind: 'fatal', message: errorText(e, '') }),
      );
    return () => void (live = false);
  }, [phase.kind, relay]);
  if (phase.kind === 'opening')
    return (
      <p className="splash" role="status">
        Opening Kith…
      </p>
    );
  if (phase.kind === 'fatal')
    return (
      <div className="fatal" role="alert">
        <h1>Kith could not open your account</h1>
        <p>{phase.message}</p>
      </div>
    );
  if (phase.kind === 'auth') return <AuthForm factory={factory} relay={relay} onSignedIn={(client) => setPhase({ kind: 'in', client })} />;
  return <SignedInApp key={phase.client.me.user} client={phase.client} onSignedOut={() => setPhase({ kind: 'auth' })} />;
}
