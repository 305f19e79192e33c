import { useSyncExternalStore } from 'react';

const media = () => window.matchMedia('(prefers-color-scheme: dark)');

function dark(): boolean {
  const pinned = document.documentElement.dataset.theme;
  return pinned ? pinned === 'dark' : media().matches;
}

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const m = media();
  m.addEventListener('change', onChange);
  return () => {
    observer.disconnect();
    m.removeEventListener('change', onChange);
  };
}

/** Whether the window shows the dark theme (the setting, or the system's when it follows it): the diff view takes its colours from it. */
export function useDark(): boolean {
  return useSyncExternalStore(subscribe, dark);
}

