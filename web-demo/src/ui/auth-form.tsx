import { useState, type FormEvent, type ReactNode } from 'react';
import type { ClientFactory, DemoClient } from '../adapters/client.js';

/** Sign up / log in. */
export function AuthForm(props: { readonly factory: () => Promise<ClientFactory>; readonly relay: string; readonly onSignedIn: (c: DemoClient) => void }): ReactNode {
  const { factory, relay, onSignedIn } = props;
  const [mode, setMode] = useState<'signup' | 'login'>('signup');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const text = (name: string): string => {
      const v = data.get(name);
      return typeof v === 'string' ? v : '';
    };
    const username = text('username');
    const password = text('password');
    const displayName = text('displayName');
    setBusy(mode === 'signup' ? 'Creating your keys…' : 'Logging in…');
    setError('');
    factory()
      .then((f) => (mode === 'signup' ? f.signUp({ relay, username, displayName, password }) : f.logIn({ relay, username, password })))
      .then(onSignedIn, (err: unknown) => {
        setBusy('');
        setError(err instanceof Error ? err.message : `Something went wrong (${String(err)}).`);
      });
  };
  return (
    <main className="auth">
      <div className="brand" aria-hidden="true">
        K
      </div>
      <form className="auth-form" aria-labelledby="auth-title" onSubmit={submit} key={mode}>
        <h1 id="auth-title">{mode === 'signup' ? 'Create your Kith account' : 'Log in to Kith'}</h1>
        <p className="muted">End-to-end encrypted. The relay only ever sees ciphertext.</p>
        <label htmlFor="username">Username</label>
        <input id="username" name="username" autoComplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_.]{3,32}" />
        {mode === 'signup' && <label htmlFor="displayName">Display name</label>}
        {mode === 'signup' && <input id="displayName" name="displayName" autoComplete="name" maxLength={64} />}
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} required minLength={8} />
        <button type="submit" className="primary">
          {mode === 'signup' ? 'Sign up' : 'Log in'}
        </button>
        <span className="busy" role="status">
          {busy}
        </span>
        <p className="error" role="alert" id="auth-error">
          {error}
        </p>
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === 'signup' ? 'login' : 'signup');
            setError('');
            setBusy('');
          }}
        >
          {mode === 'signup' ? 'I already have an account' : 'Create a new account'}
        </button>
        <p className="muted small">Relay: {relay}</p>
      </form>
    </main>
  );
}
