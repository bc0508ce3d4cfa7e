import { clear, field, h } from '../dom.js';
import type { ClientFactory, DemoClient } from '../adapters/client.js';

/** Sign up / log in. */
export function renderAuth(root: HTMLElement, factory: () => Promise<ClientFactory>, relay: string, done: (c: DemoClient) => void): void {
  let mode: 'signup' | 'login' = 'signup';
  const render = (): void => {
    const error = h('p', { class: 'error', role: 'alert', id: 'auth-error' });
    const busy = h('span', { class: 'busy', role: 'status' });
    const form = h(
      'form',
      { class: 'auth-form', 'aria-labelledby': 'auth-title' },
      h('h1', { id: 'auth-title' }, mode === 'signup' ? 'Create your Kith account' : 'Log in to Kith'),
      h('p', { class: 'muted' }, 'End-to-end encrypted. The relay only ever sees ciphertext.'),
      h('label', { for: 'username' }, 'Username'),
      h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 32, pattern: '[A-Za-z0-9_.]{3,32}' }),
      mode === 'signup' && h('label', { for: 'displayName' }, 'Display name'),
      mode === 'signup' && h('input', { id: 'displayName', name: 'displayName', autocomplete: 'name', maxlength: 64 }),
      h('label', { for: 'password' }, 'Password'),
      h('input', { id: 'password', name: 'password', type: 'password', autocomplete: mode === 'signup' ? 'new-password' : 'current-password', required: true, minlength: 8 }),
      h('button', { type: 'submit', class: 'primary' }, mode === 'signup' ? 'Sign up' : 'Log in'),
      busy,
      error,
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            mode = mode === 'signup' ? 'login' : 'signup';
            render();
          },
        },
        mode === 'signup' ? 'I already have an account' : 'Create a new account',
      ),
      h('p', { class: 'muted small' }, `Relay: ${relay}`),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const username = field(data, 'username');
      const password = field(data, 'password');
      const displayName = field(data, 'displayName');
      busy.textContent = mode === 'signup' ? 'Creating your keys…' : 'Logging in…';
      error.textContent = '';
      const p = factory().then((f) => (mode === 'signup' ? f.signUp({ relay, username, displayName, password }) : f.logIn({ relay, username, password })));
      p.then(done, (err: unknown) => {
        busy.textContent = '';
        error.textContent = err instanceof Error ? err.message : `Something went wrong (${String(err)}).`;
      });
    });
    clear(root, h('main', { class: 'auth' }, h('div', { class: 'brand', 'aria-hidden': 'true' }, 'K'), form));
  };
  render();
}
