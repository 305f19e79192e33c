import { useState } from 'react';
import type { Approval, ClaudeQuestion } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { MarkdownText } from '../../app/messages';
import { useSessions } from './sessions-store';

function questionsOf(approval: Approval): ClaudeQuestion[] {
  const questions = (approval.input as { questions?: unknown }).questions;
  return Array.isArray(questions) ? (questions as ClaudeQuestion[]).filter((q) => q && typeof q.question === 'string' && Array.isArray(q.options)) : [];
}

/**
 * Claude's own question (AskUserQuestion): each option is a button, a single question with one
 * choice is answered in one click; several choices (multiSelect) or an answer of one's own are
 * sent with Answer. The answer reaches Claude as the tool's result.
 */
export function QuestionCard({ approval }: { approval: Approval }) {
  const answer = useSessions((s) => s.answer);
  const questions = questionsOf(approval);
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const send = async (answers: Record<string, string>) => setError(await answer(approval.id, 'once', { answers }));
  const collected = () =>
    Object.fromEntries(questions.map((q) => [q.question, typed[q.question]?.trim() || (chosen[q.question] ?? []).join(', ')]).filter(([, a]) => a)) as Record<string, string>;
  const oneClick = questions.length === 1 && !questions[0]!.multiSelect;
  return (
    <div className="approval question-card" role="group" aria-label="Claude asks" data-testid="claude-question">
      <strong>Claude asks{approval.sessionTitle ? <span className="muted"> in {approval.sessionTitle}</span> : null}</strong>
      {questions.map((q) => (
        <fieldset key={q.question} className="question">
          <legend>
            {q.header ? <span className="badge">{q.header}</span> : null} {q.question}
          </legend>
          <div className="options">
            {q.options.map((o) => {
              const on = chosen[q.question]?.includes(o.label) ?? false;
              return (
                <button
                  key={o.label}
                  type="button"
                  className={on ? 'option chosen' : 'option'}
                  aria-pressed={on}
                  title={o.description}
                  onClick={() => {
                    if (oneClick) return void send({ [q.question]: o.label });
                    setChosen((all) => {
                      const list = all[q.question] ?? [];
                      const next = q.multiSelect ? (on ? list.filter((l) => l !== o.label) : [...list, o.label]) : [o.label];
                      return { ...all, [q.question]: next };
                    });
                  }}
                >
                  <span className="option-label">{o.label}</span>
                  {o.description ? <span className="muted option-description">{o.description}</span> : null}
                </button>
              );
            })}
          </div>
          <input aria-label={`Your own answer to: ${q.question}`} placeholder="Or type your own answer" value={typed[q.question] ?? ''} onChange={(e) => setTyped((all) => ({ ...all, [q.question]: e.target.value }))} />
        </fieldset>
      ))}
      <div className="approval-actions">
        <button type="submit" disabled={Object.keys(collected()).length < questions.length} onClick={() => void send(collected())}>
          Answer
        </button>
        <button className="danger" onClick={() => void answer(approval.id, 'deny', { message: 'The user chose not to answer.' }).then(setError)}>
          Skip the question
        </button>
      </div>
      <FieldError error={error} />
    </div>
  );
}

/** Plan approval (ExitPlanMode): the plan, approved in one click, or sent back with what to change. */
export function PlanCard({ approval }: { approval: Approval }) {
  const answer = useSessions((s) => s.answer);
  const [feedback, setFeedback] = useState('');
  const [error, setError] = useState<string | null>(null);
  // The plan is in the request, or (newer CLIs) only in Claude's call, which the core puts in the description.
  const plan = String((approval.input as { plan?: unknown }).plan ?? approval.description ?? '');
  return (
    <div className="approval plan-card" role="group" aria-label="Claude's plan" data-testid="plan-approval">
      <strong>Claude has a plan{approval.sessionTitle ? <span className="muted"> for {approval.sessionTitle}</span> : null}</strong>
      <div className="plan">
        <MarkdownText text={plan} />
      </div>
      <div className="approval-actions">
        <button type="submit" onClick={() => void answer(approval.id, 'once').then(setError)}>
          Approve the plan
        </button>
        <span className="rule-field">
          <input aria-label="What to change in the plan" placeholder="What to change (optional)" value={feedback} onChange={(e) => setFeedback(e.target.value)} />
          <button onClick={() => void answer(approval.id, 'deny', { message: feedback.trim() || 'Keep planning: the user did not approve this plan yet.' }).then(setError)}>Keep planning</button>
        </span>
      </div>
      <FieldError error={error} />
    </div>
  );
}
