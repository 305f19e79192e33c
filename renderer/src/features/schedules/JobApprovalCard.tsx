import { useState } from 'react';
import type { Approval, JobApprovalInput } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { useNavigation, selectGo } from '../../app/navigation-store';
import { useSessions } from '../sessions/sessions-store';

/**
 * A job made or changed outside the window that runs code, waiting for the owner: what it runs, where,
 * when and who asked; Allow makes it an ordinary job, Deny deletes it (as no answer does).
 */
export function JobApprovalCard({ approval }: { approval: Approval }) {
  const answer = useSessions((s) => s.answer);
  const go = useNavigation(selectGo);
  const [error, setError] = useState<string | null>(null);
  const job = approval.input as Partial<JobApprovalInput>;
  const expires = new Date(approval.expiresAt).toLocaleTimeString();
  return (
    <div className="approval job-approval" role="group" aria-label={`Job waiting for your approval: ${job.name ?? ''}`} data-testid="job-approval">
      <div className="approval-head">
        <strong>
          {job.change === 'changed' ? 'A changed' : 'A new'} job waits for your approval:{' '}
          <button className="link" onClick={() => job.jobId && go('schedules', [job.jobId])}>
            {job.name}
          </button>
        </strong>
        <span className="muted"> · asked by {job.requestedBy}</span>
      </div>
      <p className="muted">It runs {job.kind === 'claude' ? `a Claude prompt (permissions: ${job.permissionPolicy})` : 'a shell command'}:</p>
      <code className="approval-detail">{job.command}</code>
      <p className="muted">
        Folder: <code>{job.cwd ?? 'the home folder'}</code> · Schedule: <code>{job.cron}</code> ({job.timeZone})
        {job.envNames?.length ? <> · Environment: {job.envNames.join(', ')}</> : null}
      </p>
      {job.also?.length ? (
        <ul className="muted">
          {job.also.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      <div className="approval-actions">
        <button onClick={() => void answer(approval.id, 'once').then(setError)}>Allow the job</button>
        <button className="danger" onClick={() => void answer(approval.id, 'deny', { message: 'Denied in the window.' }).then(setError)}>
          Deny and delete
        </button>
        <span className="muted">Without an answer by {expires}, it is deleted.</span>
      </div>
      <FieldError error={error} />
    </div>
  );
}
