import { useState } from 'react';
import type { RunAttachment } from '../../../contract';
import { downloadRunFile } from '../api';

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** A run's or a background task's files, each downloaded on a click (see downloadRunFile), and why one was not. */
export function FileList({ ownerId, files }: { ownerId: string; files: RunAttachment[] }) {
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <>
      <ul>
        {files.map((a) => (
          <li key={a.name}>
            <button type="button" className="link" title="Download" onClick={async () => setFailed(await downloadRunFile(ownerId, a.name))}>
              {a.name}
            </button>{' '}
            <span className="muted">{size(a.size)}</span>
          </li>
        ))}
      </ul>
      {failed ? (
        <p className="field-error" role="alert">
          {failed}
        </p>
      ) : null}
    </>
  );
}
