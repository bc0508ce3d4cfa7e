export { createMemoryVault } from './memory-vault.js';
