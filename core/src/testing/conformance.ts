// @kith/core/conformance — the contract suites every port implementation runs (needs vitest).
export { runClockConformance } from './clock-conformance.js';
export { runRandomConformance } from './random-conformance.js';
