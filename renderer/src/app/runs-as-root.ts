import { useEffect, useState } from 'react';
import { api } from '../api';

/** Asked once per page: the server's user does not change while it runs. */
let asked: Promise<boolean> | null = null;

/** Whether Switchboard runs as root, where the Claude CLI refuses to bypass permissions: then the forms do not offer it. */
export function useRunsAsRoot(): boolean {
  const [root, setRoot] = useState(false);
  useEffect(() => {
    // Unknown (no answer): offered, and the server still refuses it in words.
    asked ??= api.system.health({}).then(
      (r) => r.ok && r.value.runtime.root,
      () => false,
    );
    let live = true;
    void asked.then((value) => live && setRoot(value));
    return () => {
      live = false;
    };
  }, []);
  return root;
}

/** Bypass's words where it cannot be chosen: short, so a select stays as wide as its other options. */
export const BYPASS_AS_ROOT = 'Bypass (not as root)';
