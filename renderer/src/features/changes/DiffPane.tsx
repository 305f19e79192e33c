import { DiffModeEnum, DiffViewWithMultiSelect, SplitSide } from '@git-diff-view/react';
import '@git-diff-view/react/styles/diff-view-pure.css';
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

/** Pieces rendered at first, and added each time the reader nears the end of what is rendered. */
const FIRST_PIECES = 1;
const MORE_PIECES = 2;
/** Lines in one piece: small enough that the first one paints at once. */
const PIECE_LINES = 200;
/** The first piece: about a screen, so the click on a file paints before the rest is built. */
const FIRST_PIECE_LINES = 60;

/**
 * One file's diff: cut into pieces of a few hundred lines. The first pieces render at once (a 10,000-line
 * diff paints its first screen without the rest), more are added as the reader nears the end, and the
 * next page of a long diff is asked for once every piece here is shown. Pieces out of view skip layout
 * and paint (`content-visibility: auto`), so scrolling stays smooth however long the diff grows.
 */
export function DiffPane({ path, text, more, onMore, comments, onComment, loading }: { path: string; text: string; more: boolean; onMore: () => void; comments: readonly ReviewComment[]; onComment?: (c: Omit<ReviewComment, 'id'>) => void; loading: boolean }) {
  const dark = useDark();
  const { chunks, binary } = useMemo(() => chunkFileDiff(text, path, PIECE_LINES, FIRST_PIECE_LINES), [text, path]);
  const box = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const started = chunks.length > 0;
  const split = useWide(box, SPLIT_MIN_PX);
  const fileComments = useMemo(() => comments.filter((c) => c.path === path), [comments, path]);
  const [shown, setShown] = useState(FIRST_PIECES);
  const [nearEnd, setNearEnd] = useState(false);
  // Watched once the first piece is there: before it, the end is on screen and would ask for everything.
  useEffect(() => {
    const el = end.current;
    if (!el || !box.current || !started) return;
    const observer = new IntersectionObserver((entries) => setNearEnd(entries.some((e) => e.isIntersecting)), { root: box.current, rootMargin: '0px 0px 1200px 0px' });
    observer.observe(el);
    return () => observer.disconnect();
  }, [started]);
  useEffect(() => {
    if (!nearEnd) return;
    if (shown < chunks.length) {
      // One step per frame, after that frame's paint (a task queued from the frame callback): what is on
      // screen paints first, and the reader's scroll stays smooth while pieces are added.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const frame = requestAnimationFrame(() => (timer = setTimeout(() => setShown((n) => n + MORE_PIECES))));
      return () => {
        cancelAnimationFrame(frame);
        clearTimeout(timer);
      };
    }
    if (more && !loading) onMore();
  }, [nearEnd, shown, chunks.length, more, loading, onMore]);
  return (
    <div className="diff-scroll" ref={box} data-testid="diff-view" data-mode={split ? 'split' : 'unified'}>
      {binary ? <p className="muted diff-empty">{path} is a binary file: git shows no lines for it.</p> : null}
      {!binary && !chunks.length ? <p className="muted diff-empty">{loading ? 'Loading the diff…' : `No line changes in ${path} (its mode or name changed).`}</p> : null}
      {chunks.slice(0, shown).map((chunk, i) => (
        <div key={i} className="diff-chunk" style={{ containIntrinsicSize: `auto ${24 + chunk.lines * 21}px` }}>
          <Chunk text={chunk.text} path={path} split={split} dark={dark} comments={fileComments} onComment={onComment} />
        </div>
      ))}
      <div ref={end} className="diff-end">
        {loading ? <p className="muted">Loading more…</p> : null}
      </div>
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
