import type { CallId, ConversationId, Kith, SyncClient, UserId } from '@kith/core';
import type { CallView } from './client.js';

/**
 * One-to-one WebRTC calls. Signaling rides the relay as end-to-end sealed signals (ring,
 * accept, decline, offer, answer, ice, hangup); the call record and each side's state live in
 * the conversation (kith.calls), so the call log is the same on every device.
 */
export interface CallController {
  current(): CallView | null;
  onChange(listener: () => void): () => void;
  start(conversation: ConversationId, peer: UserId, kind: 'voice' | 'video'): Promise<void>;
  accept(): Promise<void>;
  decline(): Promise<void>;
  hangUp(): Promise<void>;
  shareScreen(): Promise<void>;
}

interface Active {
  view: CallView;
  peer: UserId;
  pc: RTCPeerConnection | null;
  pendingIce: RTCIceCandidateInit[];
  share: { id: string | null; track: MediaStreamTrack } | null;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function createCallController(kith: Kith, sync: SyncClient, nameOf: (u: UserId) => string): CallController {
  let active: Active | null = null;
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const l of listeners) l();
  };
  const signal = (to: UserId, kind: Parameters<SyncClient['signal']>[1], body: unknown): void => {
    void sync.signal(to, kind, enc.encode(JSON.stringify(body)));
  };
  const update = (patch: Partial<CallView>): void => {
    if (active === null) return;
    active.view = { ...active.view, ...patch };
    changed();
  };
  const teardown = (): void => {
    if (active === null) return;
    active.share?.track.stop();
    active.pc?.close();
    for (const s of [active.view.local, active.view.remote]) s?.getTracks().forEach((t) => t.stop());
    active = null;
    changed();
  };

  /** Records the end of this side's screen share (the call is ending). */
  const endShare = async (a: Active): Promise<void> => {
    const id = a.share?.id ?? null;
    if (id !== null) await kith.calls.stopScreenShare(a.view.conversation as ConversationId, id).catch(() => undefined);
  };

  const makePeer = async (a: Active): Promise<RTCPeerConnection> => {
    const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: a.view.kind === 'video' });
    const pc = new RTCPeerConnection({ iceServers: [] });
    for (const t of local.getTracks()) pc.addTrack(t, local);
    const remote = new MediaStream();
    pc.ontrack = (e) => {
      remote.addTrack(e.track);
      update({ remote });
    };
    pc.onicecandidate = (e) => {
      if (e.candidate !== null) signal(a.peer, 'ice', { call: a.view.call, candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') update({ status: 'connected', connectedAt: Date.now() });
      if (pc.connectionState === 'failed') void controller.hangUp();
    };
    a.pc = pc;
    update({ local });
    return pc;
  };

  sync.onSignal((e) => {
    let body: { call?: string; conversation?: string; kind?: string; sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };
    try {
      body = JSON.parse(dec.decode(e.payload)) as typeof body;
    } catch {
      return;
    }
    if (e.kind === 'typing') return;
    if (e.kind === 'ring') {
      if (active !== null || typeof body.call !== 'string' || typeof body.conversation !== 'string') {
        if (typeof body.call === 'string') signal(e.from, 'decline', { call: body.call });
        return;
      }
      const conversation = body.conversation as ConversationId;
      const call = body.call as CallId;
      active = { peer: e.from, pc: null, pendingIce: [], share: null, view: { conversation, call, peerName: nameOf(e.from), kind: body.kind === 'voice' ? 'voice' : 'video', direction: 'incoming', status: 'ringing', local: null, remote: null, connectedAt: null } };
      void kith.calls.ring(conversation, call).catch(() => undefined);
      changed();
      return;
    }
    const a = active;
    if (a === null || body.call !== a.view.call || e.from !== a.peer) return;
    void (async () => {
      if (e.kind === 'accept' && a.view.direction === 'outgoing') {
        update({ status: 'connecting' });
        const pc = await makePeer(a);
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        signal(a.peer, 'offer', { call: a.view.call, sdp: offer });
      } else if (e.kind === 'offer' && body.sdp !== undefined && a.pc !== null) {
        await a.pc.setRemoteDescription(body.sdp);
        for (const c of a.pendingIce.splice(0)) await a.pc.addIceCandidate(c);
        const answer = await a.pc.createAnswer();
        await a.pc.setLocalDescription(answer);
        signal(a.peer, 'answer', { call: a.view.call, sdp: answer });
      } else if (e.kind === 'answer' && body.sdp !== undefined && a.pc !== null) {
        await a.pc.setRemoteDescription(body.sdp);
        for (const c of a.pendingIce.splice(0)) await a.pc.addIceCandidate(c);
      } else if (e.kind === 'ice' && body.candidate !== undefined) {
        if (a.pc?.remoteDescription) await a.pc.addIceCandidate(body.candidate);
        else a.pendingIce.push(body.candidate);
      } else if (e.kind === 'decline' || e.kind === 'hangup') {
        await endShare(a);
        if (a.view.direction === 'outgoing') await kith.calls.end(a.view.conversation as ConversationId, a.view.call as CallId, e.kind === 'decline' ? 'declined' : 'hangup').catch(() => undefined);
        teardown();
      }
    })().catch(() => teardown());
  });

  const controller: CallController = {
    current: () => active?.view ?? null,
    onChange(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    async start(conversation, peer, kind) {
      if (active !== null) throw new Error('Already in a call.');
      const call = await kith.calls.start(conversation, kind);
      active = { peer, pc: null, pendingIce: [], share: null, view: { conversation, call: call.id, peerName: nameOf(peer), kind, direction: 'outgoing', status: 'ringing', local: null, remote: null, connectedAt: null } };
      changed();
      signal(peer, 'ring', { call: call.id, conversation, kind });
    },
    async accept() {
      const a = active;
      if (a === null || a.view.direction !== 'incoming') return;
      await kith.calls.answer(a.view.conversation as ConversationId, a.view.call as CallId);
      update({ status: 'connecting' });
      await makePeer(a);
      signal(a.peer, 'accept', { call: a.view.call });
    },
    async decline() {
      const a = active;
      if (a === null) return;
      signal(a.peer, 'decline', { call: a.view.call });
      await kith.calls.decline(a.view.conversation as ConversationId, a.view.call as CallId).catch(() => undefined);
      teardown();
    },
    async hangUp() {
      const a = active;
      if (a === null) return;
      await endShare(a);
      signal(a.peer, 'hangup', { call: a.view.call });
      if (a.view.direction === 'outgoing') await kith.calls.end(a.view.conversation as ConversationId, a.view.call as CallId, 'hangup').catch(() => undefined);
      else await kith.calls.end(a.view.conversation as ConversationId, a.view.call as CallId, 'hangup').catch(() => undefined);
      teardown();
    },
    /** Starts sharing the screen in place of the camera, or stops sharing (the camera comes back). */
    async shareScreen() {
      const a = active;
      if (a === null || a.pc === null) return;
      const sender = a.pc.getSenders().find((s) => s.track?.kind === 'video');
      if (sender === undefined) return;
      const conv = a.view.conversation as ConversationId;
      const stop = async (): Promise<void> => {
        const share = a.share;
        if (share === null) return;
        a.share = null;
        share.track.stop();
        const cam = a.view.local?.getVideoTracks()[0];
        if (cam !== undefined && a.pc?.signalingState !== 'closed') await sender.replaceTrack(cam).catch(() => undefined);
        if (share.id !== null) await kith.calls.stopScreenShare(conv, share.id).catch(() => undefined);
        if (active === a) update({ sharing: false });
      };
      if (a.share !== null) return stop();
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const track = screen.getVideoTracks()[0];
      if (track === undefined) return;
      await sender.replaceTrack(track);
      a.share = { id: null, track };
      // The browser's own "stop sharing" ends the track.
      track.onended = () => void stop();
      update({ sharing: true });
      // Recorded in the call, so both sides' call logs show it.
      const id = await kith.calls.startScreenShare(conv, a.view.call as CallId);
      if (a.share?.track === track) a.share.id = id;
      else await kith.calls.stopScreenShare(conv, id).catch(() => undefined);
    },
  };
  return controller;
}
