import { DiffModeEnum, DiffViewWithMultiSelect, SplitSide } from '@git-diff-view/react';
import '@git-diff-view/react/styles/diff-view-pure.css';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { chunkFileDiff, languageOf, type ReviewComment } from './diff-model';
import { useDark } from './use-dark';

/** The pane width from which the diff goes side by side (a desk); narrower (a phone) reads it unified. */
export const SPLIT_MIN_PX = 640;

/** Whether an element is at least `min` pixels wide, following its resizes. */
function useWide(ref: RefObject<HTMLElement | null>, min: number): boolean {
  const [wide, setWide] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWide(el.clientWidth >= min));
    observer.observe(el);
    setWide(el.clientWidth >= min);
    return () => observer.disconnect();
  }, [ref, min]);
  return wide;
}

/** A comment form on the lines the reader picked (the widget line under them). */
function CommentForm({ onSave, onClose, where }: { onSave: (text: string) => void; onClose: () => void; where: string }) {
  const [text, setText] = useState('');
  return (
    <form
      className="review-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        onSave(text.trim());
        onClose();
      }}
    >
      <label className="muted">
        Comment on {where}
        <textarea aria-label={`Comment on ${where}`} rows={3} value={text} autoFocus onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="review-form-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={!text.trim()}>
          Add comment
        </button>
      </div>
    </form>
  );
}

/** The comments under the line they end on. */
function renderComments({ data }: { data: ReviewComment[] }) {
  return (
    <div className="review-comments">
      {data.map((c) => (
        <div key={c.id} className="review-comment" data-testid="review-comment">
          <strong>{c.from === c.to ? `Line ${c.from}` : `Lines ${c.from}–${c.to}`}</strong> {c.text}
        </div>
      ))}
    </div>
  );
}

interface ChunkProps {
  text: string;
  path: string;
  split: boolean;
  dark: boolean;
  comments: readonly ReviewComment[];
  onComment?: (c: Omit<ReviewComment, 'id'>) => void;
}

/** One piece of the diff, rendered by the library (highlighted, split or unified), with its comments under their lines. */
const Chunk = memo(function Chunk({ text, path, split, dark, comments, onComment }: ChunkProps) {
  // Stable across renders: a new `data` makes the library build its diff anew, closing an open comment form.
  const data = useMemo(() => {
    const lang = languageOf(path);
    return { oldFile: { fileName: path, fileLang: lang }, newFile: { fileName: path, fileLang: lang }, hunks: [text] };
  }, [text, path]);
  const renderWidgetLine = useCallback(
    ({ lineNumber, fromLineNumber, side, onClose }: { lineNumber: number; fromLineNumber: number; side: SplitSide; onClose: () => void }) => {
      const from = Math.min(fromLineNumber || lineNumber, lineNumber);
      const where = `${path}, ${from === lineNumber ? `line ${lineNumber}` : `lines ${from}–${lineNumber}`}`;
      return <CommentForm where={where} onClose={onClose} onSave={(t) => onComment?.({ path, side: side === SplitSide.old ? 'old' : 'new', from, to: lineNumber, text: t })} />;
    },
    [path, onComment],
  );
  const extendData = useMemo(() => {
    const data: { oldFile: Record<string, { data: ReviewComment[] }>; newFile: Record<string, { data: ReviewComment[] }> } = { oldFile: {}, newFile: {} };
    for (const c of comments) {
      const side = c.side === 'old' ? data.oldFile : data.newFile;
      (side[String(c.to)] ??= { data: [] }).data.push(c);
    }
    return data;
  }, [comments]);
  return (
    <DiffViewWithMultiSelect<ReviewComment[]>
      data={data}
      diffViewMode={split ? DiffModeEnum.Split : DiffModeEnum.Unified}
      diffViewTheme={dark ? 'dark' : 'light'}
      diffViewHighlight
      diffViewWrap
      diffViewFontSize={13}
      diffViewAddWidget={Boolean(onComment)}
      extendData={extendData}
      renderExtendLine={renderComments}
      renderWidgetLine={renderWidgetLine}
    />
  );
});

/**
 * One file's diff: cut into pieces of a few hundred lines, each rendered only while it is on screen (a
 * virtual list), so a 10,000-line diff paints its first screen at once and scrolls smoothly. The next page
 * of a long diff is asked for as the reader nears its end.
 */
export function DiffPane({ path, text, more, onMore, comments, onComment, loading }: { path: string; text: string; more: boolean; onMore: () => void; comments: readonly ReviewComment[]; onComment?: (c: Omit<ReviewComment, 'id'>) => void; loading: boolean }) {
  const dark = useDark();
  const { chunks, binary } = useMemo(() => chunkFileDiff(text, path), [text, path]);
  const box = useRef<HTMLDivElement>(null);
  const split = useWide(box, SPLIT_MIN_PX);
  const fileComments = useMemo(() => comments.filter((c) => c.path === path), [comments, path]);
  // The virtualizer is read fresh on every render here, as the chats' transcript reads it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({
    count: chunks.length,
    getScrollElement: () => box.current,
    estimateSize: (i) => 24 + chunks[i]!.lines * 20,
    overscan: 1,
  });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (more && !loading && last >= chunks.length - 2) onMore();
  }, [more, loading, last, chunks.length, onMore]);
  return (
    <div className="diff-scroll" ref={box} data-testid="diff-view" data-mode={split ? 'split' : 'unified'}>
      {binary ? <p className="muted diff-empty">{path} is a binary file: git shows no lines for it.</p> : null}
      {!binary && !chunks.length ? <p className="muted diff-empty">{loading ? 'Loading the diff…' : `No line changes in ${path} (its mode or name changed).`}</p> : null}
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const chunk = chunks[item.index]!;
          return (
            <div key={item.key} data-index={item.index} ref={virtual.measureElement} className="diff-chunk" style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
              <Chunk text={chunk.text} path={path} split={split} dark={dark} comments={fileComments} onComment={onComment} />
            </div>
          );
        })}
      </div>
      {loading ? <p className="muted">Loading more…</p> : null}
    </div>
  );
}

/** A small diff (an edit tool call, an approval card): whole, unified, no comments. */
export function SmallDiff({ path, text }: { path: string; text: string }) {
  const dark = useDark();
  const { chunks } = useMemo(() => chunkFileDiff(text, path, 100_000), [text, path]);
  return (
    <div className="small-diff" data-testid="tool-diff">
      {chunks.map((c, i) => (
        <Chunk key={i} text={c.text} path={path} split={false} dark={dark} comments={NO_COMMENTS} />
      ))}
    </div>
  );
}
const NO_COMMENTS: ReviewComment[] = [];
