import { runCryptoConformance } from '../../testing/crypto-conformance.js';
import { createSodiumCrypto } from './sodium-crypto.js';

runCryptoConformance('libsodium', createSodiumCrypto);
