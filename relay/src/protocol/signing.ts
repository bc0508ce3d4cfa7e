// The canonical signing bytes of the relay API live in @kith/core (one definition for clients
// and the relay, docs/PROTOCOL.md § Relay API).
export { registerSigningBytes, authSigningBytes, capabilitySigningBytes, capabilityScopeOf } from '@kith/core';
export type { CapabilityGrant } from '@kith/core';
