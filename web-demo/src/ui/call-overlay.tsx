import { useEffect, useRef, useState, type ReactNode } from 'react';
import { formatDuration } from '../format.js';
import type { DemoClient } from '../adapters/client.js';
import { useClientActions, useCurrentCall } from './client-context.js';

/** The call overlay: incoming ring, outgoing ring, and the connected call with video. */
export function CallOverlay(): ReactNode {
  const client = useClientActions();
  const c = useCurrentCall();
  const box = useRef<HTMLDivElement>(null);
  const remote = useRef<HTMLVideoElement>(null);
  const local = useRef<HTMLVideoElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const act = (a: Parameters<DemoClient['callAction']>[0]) => (): void => void client.callAction(a).catch(() => undefined);
  const stage = c === null ? null : `${c.call}:${c.status}`;
  // Mute and camera switch this side's tracks off (the peer gets silence / black frames).
  const [muted, setMuted] = useState(false);
  const [cameraOff, setCameraOff] = useState(false);
  useEffect(() => {
    c?.local?.getAudioTracks().forEach((t) => (t.enabled = !muted));
    c?.local?.getVideoTracks().forEach((t) => (t.enabled = !cameraOff));
  }, [c?.local, muted, cameraOff]);
  useEffect(() => {
    if (c === null) {
      setMuted(false);
      setCameraOff(false);
    }
  }, [c]);
  // The duration ticks once a second while connected.
  const [now, setNow] = useState(() => Date.now());
  const connectedAt = c?.connectedAt ?? null;
  useEffect(() => {
    if (connectedAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [connectedAt]);
  useEffect(() => {
    if (remote.current !== null) remote.current.srcObject = c?.remote ?? null;
    if (audio.current !== null) audio.current.srcObject = c?.remote ?? null;
    if (local.current !== null) {
      local.current.muted = true;
      local.current.srcObject = c?.local ?? null;
    }
  }, [c?.remote, c?.local, c?.kind]);
  // Each new stage of the call puts focus on its first button.
  useEffect(() => {
    if (stage !== null) box.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [stage]);
  if (c === null) return <div className="call-overlay" role="dialog" aria-modal="true" aria-labelledby="call-title" hidden ref={box} />;
  const title = c.status === 'ringing' ? (c.direction === 'incoming' ? `${c.peerName} is calling…` : `Calling ${c.peerName}…`) : c.status === 'connecting' ? `Connecting to ${c.peerName}…` : `In call with ${c.peerName}`;
  const ringingHere = c.direction === 'incoming' && c.status === 'ringing';
  return (
    <div className="call-overlay" role="dialog" aria-modal="true" aria-labelledby="call-title" ref={box}>
      <h2 id="call-title" data-call-status={c.status}>
        {title}
      </h2>
      <p className="muted">
        {c.kind === 'video' ? 'Video call' : 'Voice call'} · end-to-end encrypted signaling
        {connectedAt !== null && (
          <>
            {' · '}
            <span id="call-duration">{formatDuration(Math.max(0, now - connectedAt))}</span>
          </>
        )}
      </p>
      {c.kind === 'video' && (
        <div className="videos">
          <video className="remote-video" autoPlay playsInline aria-label={`${c.peerName}'s video`} ref={remote} />
          <video className="local-video" autoPlay playsInline muted aria-label="Your video" ref={local} />
        </div>
      )}
      {c.kind === 'voice' && c.remote !== null && <audio autoPlay aria-hidden="true" ref={audio} />}
      <div className="row call-buttons">
        {ringingHere && (
          <button type="button" className="primary" onClick={act('accept')}>
            Accept
          </button>
        )}
        {ringingHere && (
          <button type="button" className="danger" onClick={act('decline')}>
            Decline
          </button>
        )}
        {c.local !== null && (
          <button type="button" id="toggle-mute" aria-pressed={muted} onClick={() => setMuted(!muted)}>
            {muted ? 'Unmute' : 'Mute'}
          </button>
        )}
        {c.local !== null && c.kind === 'video' && (
          <button type="button" id="toggle-camera" aria-pressed={cameraOff} onClick={() => setCameraOff(!cameraOff)}>
            {cameraOff ? 'Camera on' : 'Camera off'}
          </button>
        )}
        {c.status === 'connected' && c.kind === 'video' && (
          <button type="button" id="share-screen" onClick={act('shareScreen')}>
            {c.sharing === true ? 'Stop sharing' : 'Share screen'}
          </button>
        )}
        {!ringingHere && (
          <button type="button" className="danger" onClick={act('hangUp')}>
            Hang up
          </button>
        )}
      </div>
    </div>
  );
}
