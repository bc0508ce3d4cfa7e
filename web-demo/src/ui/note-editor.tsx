import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { NoteCursor, SharedNote } from '../adapters/client.js';

const COLORS = ['#d81b60', '#1e88e5', '#8e24aa', '#f4511e', '#00897b', '#6d4c41'];
const colorOf = (user: string): string => COLORS[parseInt(user.slice(0, 6), 16) % COLORS.length] ?? COLORS[0]!;

/**
 * A plain `<textarea>` bound to the shared note: each input becomes one splice (the common
 * prefix and suffix of the old and new value are kept), others' changes replace the value with
 * the caret mapped through them. The others' carets are drawn by a mirror behind the textarea
 * with the same box and font (transparent text, a marker at each caret), scrolled with it.
 */
export function NoteEditor({ note, onError }: { readonly note: SharedNote; readonly onError: (e: unknown) => void }): ReactNode {
  const area = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const last = useRef(note.text());
  const [text, setText] = useState(last.current);
  const [cursors, setCursors] = useState<readonly NoteCursor[]>(() => note.cursors());

  useEffect(() => {
    const offChange = note.onChange((next, map) => {
      const el = area.current;
      last.current = next;
      setText(next);
      if (el === null) return;
      const focused = document.activeElement === el;
      const [start, end] = [map(el.selectionStart), map(el.selectionEnd)];
      el.value = next;
      if (focused) el.setSelectionRange(start, end);
    });
    const offCursors = note.onCursors(() => setCursors(note.cursors()));
    return () => {
      offChange();
      offCursors();
    };
  }, [note]);

  const onInput = (): void => {
    const el = area.current;
    if (el === null) return;
    const before = last.current;
    const after = el.value;
    let p = 0;
    while (p < before.length && p < after.length && before[p] === after[p]) p++;
    let s = 0;
    while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
    try {
      note.edit(p, before.length - p - s, after.slice(p, after.length - s));
      last.current = after;
      setText(after);
      setCursors(note.cursors());
    } catch (e) {
      el.value = before;
      onError(e);
    }
    note.setCursor(el.selectionStart);
  };
  const onCaret = (): void => {
    if (area.current !== null) note.setCursor(area.current.selectionStart);
  };
  const onScroll = (): void => {
    if (mirror.current !== null && area.current !== null) mirror.current.scrollTop = area.current.scrollTop;
  };

  const parts: ReactNode[] = [];
  let at = 0;
  for (const c of cursors) {
    const i = Math.min(c.index, text.length);
    parts.push(text.slice(at, i));
    parts.push(
      <span key={c.key} className="remote-cursor" data-cursor-of={c.name} data-cursor-index={i} style={{ borderColor: colorOf(c.user) }}>
        <span className="cursor-label" style={{ background: colorOf(c.user) }}>
          {c.name}
        </span>
      </span>,
    );
    at = i;
  }
  parts.push(text.slice(at), '\u200b');
  return (
    <div className="note-editor">
      <div className="note-mirror" aria-hidden="true" ref={mirror}>
        {parts}
      </div>
      <textarea id="note-text" aria-label="Shared note" defaultValue={text} ref={area} onInput={onInput} onSelect={onCaret} onKeyUp={onCaret} onClick={onCaret} onScroll={onScroll} spellCheck={false} />
    </div>
  );
}
