import { useEffect, useRef, type ReactNode } from 'react';
import { create } from 'zustand';

/**
 * A modal dialog: focus moves into it (to the first field, or the element marked data-autofocus),
 * Escape and a click outside close it, and focus goes back to where it was.
 */
export function Dialog({ label, onClose, children, onSubmit }: { label: string; onClose: () => void; children: ReactNode; onSubmit?: () => void }) {
  const box = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[data-autofocus], input, select, textarea, button');
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, [onClose]);
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form
        ref={box}
        className="dialog card"
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit?.();
        }}
      >
        {children}
      </form>
    </div>
  );
}

interface ConfirmRequest {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

const useConfirmStore = create<{ request: ConfirmRequest | null }>(() => ({ request: null }));

/** The app's own confirmation (the browser's confirm() blocks the page and cannot be styled or tested). */
export function confirmAction(options: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
  return new Promise((resolve) => {
    useConfirmStore.getState().request?.resolve(false);
    useConfirmStore.setState({ request: { ...options, resolve } });
  });
}

/** Rendered once by the app: shows the confirmation being asked, if any. */
export function ConfirmHost() {
  const request = useConfirmStore((s) => s.request);
  if (!request) return null;
  const answer = (ok: boolean) => {
    useConfirmStore.setState({ request: null });
    request.resolve(ok);
  };
  return (
    <Dialog label={request.title} onClose={() => answer(false)} onSubmit={() => answer(true)}>
      <h2>{request.title}</h2>
      <p>{request.body}</p>
      <div className="dialog-actions">
        <button type="button" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="submit" className={request.danger ? 'danger-solid' : undefined} data-autofocus>
          {request.confirm}
        </button>
      </div>
    </Dialog>
  );
}
