/** An error about what was just tried, with a way to close it: it must never stand above every screen until a reload. */
export function ErrorBanner({ error, onClose }: { error: string; onClose: () => void }) {
  return (
    <div className="banner banner-error banner-closable" role="alert">
      <span>{error}</span>
      <button className="banner-close" aria-label="Close" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
