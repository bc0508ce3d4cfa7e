import { createMemoryRelayStore } from './index.js';
import { runRelayStoreConformance } from '../conformance.js';

runRelayStoreConformance('memory', () => Promise.resolve({ store: createMemoryRelayStore(), cleanup: () => Promise.resolve() }));
