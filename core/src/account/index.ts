// Accounts: sign up, log in on a new device (backup), keep the identity on the device.
export { signUp, logIn, saveIdentity, loadIdentity } from './account.js';
export type { AccountOptions } from './account.js';
