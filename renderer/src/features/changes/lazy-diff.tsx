import { lazy, Suspense, type ComponentProps } from 'react';
import type { DiffPane as DiffPaneView, SmallDiff as SmallDiffView } from './DiffPane';

// The diff view (and the highlighter's languages with it) loads the first time a diff is shown: a window
// that never opens one does not carry it at start.
const DiffPaneLazy = lazy(() => import('./DiffPane').then((m) => ({ default: m.DiffPane })));
const SmallDiffLazy = lazy(() => import('./DiffPane').then((m) => ({ default: m.SmallDiff })));

/** One file's diff in the Changes tab, loaded on first use. */
export function DiffPane(props: ComponentProps<typeof DiffPaneView>) {
  return (
    <Suspense fallback={<p className="muted diff-empty">Loading the diff…</p>}>
      <DiffPaneLazy {...props} />
    </Suspense>
  );
}

/** An edit's diff in the transcript or an approval card, loaded on first use (the raw diff meanwhile). */
export function SmallDiff(props: ComponentProps<typeof SmallDiffView>) {
  return (
    <Suspense fallback={<pre className="tool-input">{props.text}</pre>}>
      <SmallDiffLazy {...props} />
    </Suspense>
  );
}
