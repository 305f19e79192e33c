import { useEffect, useState } from 'react';
import type { ApprovalRule } from '../../../../contract';
import { api } from '../../api';

/** The "always allow" rules saved from approvals; removing one makes Claude ask again. */
export function PermissionRules() {
  const [rules, setRules] = useState<ApprovalRule[] | null>(null);
  useEffect(() => {
    void api.approvals.rules({}).then((r) => r.ok && setRules(r.value));
    return api.on('approvals.rulesChanged', setRules);
  }, []);
  return (
    <section className="card" aria-labelledby="rules-title">
      <h2 id="rules-title">Always allowed</h2>
      {rules && !rules.length ? <p className="muted">No rules yet. Answer a question with “Always allow” to add one.</p> : null}
      <ul className="rules">
        {(rules ?? []).map((r) => (
          <li key={r.id}>
            <code>{r.rule}</code>
            <button aria-label={`Remove ${r.rule}`} onClick={() => void api.approvals.removeRule({ id: r.id })}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
