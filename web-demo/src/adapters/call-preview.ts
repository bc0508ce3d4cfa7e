import type { CallLogEntry } from './client.js';

/**
 * The chat list's line for a call that is newer than the last message: "Missed voice call" for
 * one I did not pick up, "You: Video call" for mine, "Voice call" for one I answered or declined.
 * Null while it still rings or runs (the call overlay shows it then).
 */
export function callPreviewText(call: CallLogEntry): string | null {
  const kind = call.kind === 'voice' ? 'voice call' : 'video call';
  const Kind = call.kind === 'voice' ? 'Voice call' : 'Video call';
  if (call.status === 'missed') return call.outgoing ? `You: ${Kind} · no answer` : `Missed ${kind}`;
  if (call.status === 'declined') return call.outgoing ? `You: ${Kind} · declined` : `${Kind} · declined`;
  if (call.status === 'completed') return call.outgoing ? `You: ${Kind}` : Kind;
  return null;
}
