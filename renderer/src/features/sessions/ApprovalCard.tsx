import { useState } from 'react';
import { defaultRuleFor, fromTerminal, REVIEW_APPROVAL_TOOL, toolCallDetail, type Approval } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { useSessions } from './sessions-store';
import { SmallDiff } from '../changes/lazy-diff';
import { toolCallDiff } from '../changes/diff-model';
import { readableToolName } from '../../app/tool-names';

function detail(approval: Approval): string {
  return toolCallDetail(approval.input) ?? JSON.stringify(approval.input);
}

/** One permission question with its four answers: once, this session, always (a rule), deny. */
export function ApprovalCard({ approval }: { approval: Approval }) {
  const answer = useSessions((s) => s.answer);
  const [rule, setRule] = useState(defaultRuleFor(approval.toolName, approval.suggestions, approval.input) ?? '');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  // An edit waiting for permission shows the diff it would apply.
  const edit = toolCallDiff(approval.toolName, approval.input);
  // A merge, discard or undo asked from a chat or MCP: the owner allows it or not; no rule is saved for it.
  const review = approval.toolName === REVIEW_APPROVAL_TOOL;
  const reply = async (decision: 'once' | 'session' | 'always' | 'deny') => {
    setError(
      await answer(approval.id, decision, {
        ...(decision === 'deny' && message.trim() ? { message: message.trim() } : {}),
        ...(decision === 'always' || decision === 'session' ? { rule } : {}),
      }),
    );
  };
  return (
    <div className="approval" role="group" aria-label={`Permission for ${readableToolName(approval.toolName)}`} data-testid="approval">
      <div className="approval-head">
        <strong>
          {review ? (
            approval.description
          ) : (
            <>
              {fromTerminal(approval) ? 'Claude Code in a terminal wants to use' : 'Claude wants to use'}{' '}
              <span title={approval.toolName} data-testid="approval-tool">
                {readableToolName(approval.toolName)}
              </span>
            </>
          )}
        </strong>
        {approval.sessionTitle ? <span className="muted"> in {approval.sessionTitle}</span> : null}
      </div>
      <code className="approval-detail">{detail(approval)}</code>
      {edit ? <SmallDiff path={edit.path} text={edit.text} /> : null}
      {approval.description && !approval.description.includes(detail(approval)) ? <p className="muted">{approval.description}</p> : null}
      {review ? (
        <div className="approval-actions">
          <button onClick={() => void reply('once')}>Allow</button>
          <button className="danger" onClick={() => void reply('deny')}>
            Deny
          </button>
        </div>
      ) : (
      <div className="approval-actions">
        <button onClick={() => void reply('once')}>Allow once</button>
        <button onClick={() => void reply('session')}>Allow for this session</button>
        <span className="rule-field">
          <input aria-label="Rule to allow always" className="rule-input" size={Math.min(60, Math.max(12, rule.length + 2))} value={rule} onChange={(e) => setRule(e.target.value)} spellCheck={false} />
          <button onClick={() => void reply('always')}>Always allow</button>
        </span>
        <span className="rule-field">
          <input aria-label="Reason to deny" placeholder="Reason (optional)" value={message} onChange={(e) => setMessage(e.target.value)} />
          <button className="danger" onClick={() => void reply('deny')}>
            Deny
          </button>
        </span>
      </div>
      )}
      <FieldError error={error} />
    </div>
  );
}
