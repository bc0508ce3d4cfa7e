import type { ServerFrame } from '../protocol/relay/frames.js';

/** Who answers which server frame (the parts of the sync client; sync-client.ts wires them). */
export interface FrameHandlers {
  authed(): void;
  ack(id: number): void;
  entries(doc: string, entries: ReadonlyArray<{ seq: number; env: string }>): void;
  ok(id: number): void;
  /** `true` if a push answered it; otherwise a subscription may (when it has an id). */
  pushError(id: number | undefined, code: string): boolean;
  subError(id: number, code: string): void;
  presence(frame: Extract<ServerFrame, { t: 'presence' }>): void;
  signal(frame: Extract<ServerFrame, { t: 'signal' }>): void;
}

/** Dispatches one validated server frame (PROTOCOL § Relay API); unknown kinds are ignored. */
export function routeServerFrame(f: ServerFrame, h: FrameHandlers): void {
  switch (f.t) {
    case 'authed':
      return h.authed();
    case 'ack':
      return h.ack(f.id);
    case 'entries':
      return h.entries(f.doc, f.entries);
    case 'entry':
      return h.entries(f.doc, [f]);
    case 'ok':
      return h.ok(f.id);
    case 'error':
      if (!h.pushError(f.id, f.code) && f.id !== undefined) h.subError(f.id, f.code);
      return;
    case 'presence':
      return h.presence(f);
    case 'signal':
      return h.signal(f);
    default:
      return;
  }
}
