import { JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL, toolCallDetail, type Approval, type ClaudeQuestion, type JobApprovalInput, type ReviewApprovalInput } from '../../../contract';
import type { ChatButton } from './adapter';

/**
 * A value someone else chose (a job's name, a session's title, who asked), as plain text in a card's Markdown:
 * on one line, with no link, emphasis or code of its own (CommonMark's backslash escapes, which Telegram's parser
 * and Discord both read).
 */
function plain(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_~[\]<>|]/g, '\\$&');
}

/** A value in a code block of a card, which it cannot close to go on as text of its own. */
function fenced(value: string): string {
  return value.replace(/```/g, "'''");
}

/** A value as inline code, which it cannot end early. */
function inlineCode(value: string): string {
  return `\`${value.replace(/\s*\n\s*/g, ' ').replace(/`/g, "'")}\``;
}

/** What a tool call asks for, in one line: the command, the file, the address. */
function detail(approval: Approval): string {
  return fenced((toolCallDetail(approval.input) ?? approval.description ?? JSON.stringify(approval.input)).slice(0, 1500));
}

/**
 * A question as a chat message with buttons. Permissions get the four answers of the window;
 * Claude's own questions (AskUserQuestion) their options; a plan, approve or keep planning.
 * Button data stays short (Telegram's 64 bytes): a prefix, the approval id, a letter or indexes.
 */
export function approvalCard(approval: Approval, windowUrl: string | null): { markdown: string; buttons: ChatButton[][] } {
  const where = approval.sessionTitle ? ` in *${plain(approval.sessionTitle)}*` : '';
  const link = windowUrl && approval.sessionId ? `\n\n[Open in Switchboard](${windowUrl.replace(/\/$/, '')}/#/sessions/${approval.sessionId})` : '';
  if (approval.toolName === 'AskUserQuestion') {
    const questions = ((approval.input as { questions?: ClaudeQuestion[] }).questions ?? []) as ClaudeQuestion[];
    const text = questions.map((q, i) => `${questions.length > 1 ? `${i + 1}. ` : ''}*${q.question}*${q.options.map((o) => `\n• ${o.label}${o.description ? ` — ${o.description}` : ''}`).join('')}`).join('\n\n');
    const typed = questions.some((q) => !q.options.length) ? '\n\n_Reply to this message to answer in your own words._' : '';
    return {
      markdown: `❓ ${approval.source === 'session' ? 'Claude asks' : 'A question for you'}${where}:\n\n${text}${typed}${link}`,
      buttons: questions.flatMap((q, qi) => q.options.map((o, oi) => [{ label: questions.length > 1 ? `${qi + 1}. ${o.label}` : o.label, data: `aq:${approval.id}:${qi}:${oi}` }])),
    };
  }
  if (approval.toolName === JOB_APPROVAL_TOOL) {
    const job = approval.input as Partial<JobApprovalInput>;
    const jobLink = windowUrl && job.jobId ? `\n\n[Open in Switchboard](${windowUrl.replace(/\/$/, '')}/#/schedules/${job.jobId})` : '';
    return { markdown: `${jobQuestion(job)}\n\n_Deny deletes the job, and so does no answer._${jobLink}`, buttons: [[{ label: 'Allow the job', data: `ap:${approval.id}:o` }, { label: 'Deny and delete', data: `ap:${approval.id}:d` }]] };
  }
  if (approval.toolName === REVIEW_APPROVAL_TOOL) {
    const review = approval.input as Partial<ReviewApprovalInput>;
    return {
      markdown:
        review.action === 'sendFile'
          ? `📎 *${plain(review.command ?? 'Send a file')}*\n\nAsked by ${plain(review.requestedBy ?? 'someone')}.${link}`
          : `🔀 *${plain(review.command ?? 'A review action')}*\n\nSession *${plain(review.title ?? '')}*: ${plain(review.summary ?? '')}\nAsked by ${plain(review.requestedBy ?? 'someone')}.${link}`,
      buttons: [[{ label: 'Allow', data: `ap:${approval.id}:o` }, { label: 'Deny', data: `ap:${approval.id}:d` }]],
    };
  }
  if (approval.toolName === 'ExitPlanMode') {
    const plan = typeof approval.input.plan === 'string' ? approval.input.plan : (approval.description ?? '');
    return {
      markdown: `📋 Claude's plan${where}:\n\n${plan.slice(0, 3000)}${link}`,
      buttons: [[{ label: 'Approve plan', data: `aq:${approval.id}:0:0` }, { label: 'Keep planning', data: `aq:${approval.id}:0:1` }]],
    };
  }
  const excerpt = editExcerpt(approval);
  return {
    markdown: `🔐 Claude wants to use *${plain(approval.toolName)}*${where}:\n\n\`\`\`\n${detail(approval)}\n\`\`\`${excerpt ? `\n\`\`\`diff\n${excerpt}\n\`\`\`` : ''}${link}`,
    // No "Always" here: a rule that allows from then on, everywhere, is saved only in the window.
    buttons: [
      [
        { label: 'Allow once', data: `ap:${approval.id}:o` },
        { label: 'This session', data: `ap:${approval.id}:s` },
        { label: 'Deny', data: `ap:${approval.id}:d` },
      ],
    ],
  };
}

/** Lines of an edit's excerpt on a card: enough to judge it on a phone. */
const EXCERPT_LINES = 12;

/** What an Edit, Write or MultiEdit would change, as a few `-`/`+` lines; null for any other tool. */
export function editExcerpt(approval: Pick<Approval, 'toolName' | 'input'>): string | null {
  const i = approval.input;
  const lines = (text: unknown, mark: string) => (typeof text === 'string' && text ? text.replace(/\n$/, '').split('\n').map((l) => `${mark}${l}`) : []);
  let out: string[];
  if (approval.toolName === 'Write') out = lines(i.content, '+');
  else if (approval.toolName === 'Edit') out = [...lines(i.old_string, '-'), ...lines(i.new_string, '+')];
  else if (approval.toolName === 'MultiEdit' && Array.isArray(i.edits)) out = (i.edits as Record<string, unknown>[]).flatMap((e) => [...lines(e.old_string, '-'), ...lines(e.new_string, '+')]);
  else return null;
  if (!out.length) return null;
  const cut = out.length > EXCERPT_LINES ? [...out.slice(0, EXCERPT_LINES), `… ${out.length - EXCERPT_LINES} more lines`] : out;
  return cut.map((l) => l.slice(0, 200).replace(/```/g, "'''")).join('\n');
}

/** A job waiting for approval, in words: what it runs, where, when, and who asked. */
function jobQuestion(job: Partial<JobApprovalInput>): string {
  const what = job.kind === 'claude' ? `a Claude prompt (permissions: ${job.permissionPolicy ?? '?'})` : 'a shell command';
  return [
    `🗓 ${job.change === 'changed' ? 'A changed' : 'A new'} job waits for your approval: *${plain(job.name ?? 'unnamed')}*`,
    '',
    `Asked by ${plain(job.requestedBy ?? 'someone')}. It runs ${what}:`,
    `\`\`\`\n${fenced((job.command ?? '').slice(0, 1500))}\n\`\`\``,
    `Folder: ${inlineCode(job.cwd ?? 'the home folder')}`,
    `Schedule: ${inlineCode(job.cron ?? '?')} (${plain(job.timeZone ?? 'UTC')})`,
    ...(job.envNames?.length ? [`Environment: ${plain(job.envNames.join(', '))}`] : []),
    ...(job.also ?? []).map((line) => `• ${plain(line)}`),
  ].join('\n');
}

/** How a job approval ended, in words. */
const JOB_DECISIONS: Record<string, string> = {
  once: '✅ Allowed: it runs on its schedule',
  deny: '⛔ Denied: the job was deleted',
  timeout: '⌛ Nobody answered in time: the job was deleted',
  cancelled: '✖️ No longer needed',
};

const DECISIONS: Record<string, string> = {
  once: '✅ Allowed once',
  session: '✅ Allowed for this session',
  always: '✅ Always allowed',
  rule: '✅ Allowed by a saved rule',
  deny: '⛔ Denied',
  timeout: '⌛ Nobody answered in time: denied',
  cancelled: '✖️ No longer needed',
};

/** The card once answered anywhere: the question, the answer, and who gave it where. */
export function settledCard(approval: Approval, nameOf: (actor: string | null) => string): string {
  if (approval.toolName === JOB_APPROVAL_TOOL) {
    const job = approval.input as Partial<JobApprovalInput>;
    const by = approval.decision === 'once' || approval.decision === 'deny' ? ` by ${plain(nameOf(approval.answeredBy))}` : '';
    return `🗓 Job *${plain(job.name ?? 'unnamed')}*: ${inlineCode((job.command ?? '').split('\n')[0]!.slice(0, 200))}\n\n${JOB_DECISIONS[approval.decision ?? ''] ?? approval.status}${by}${approval.message && approval.decision !== 'deny' ? `\n_${plain(approval.message)}_` : ''}`;
  }
  if (approval.toolName === REVIEW_APPROVAL_TOOL) {
    const review = approval.input as Partial<ReviewApprovalInput>;
    const answer = approval.decision === 'once' ? '✅ Allowed' : (DECISIONS[approval.decision ?? ''] ?? approval.status);
    const who = approval.decision === 'timeout' || approval.decision === 'cancelled' ? '' : ` by ${plain(nameOf(approval.answeredBy))}`;
    return `🔀 *${plain(review.command ?? 'A review action')}* (${plain(review.title ?? '')})\n\n${answer}${who}${approval.message && approval.decision !== 'deny' ? `\n_${plain(approval.message)}_` : ''}`;
  }
  const question = approval.toolName === 'AskUserQuestion' ? 'Claude asked a question' : approval.toolName === 'ExitPlanMode' ? "Claude's plan" : `*${plain(approval.toolName)}*: ${inlineCode(detail(approval).split('\n')[0]!.slice(0, 200))}`;
  const answer = approval.toolName === 'ExitPlanMode' && approval.decision === 'once' ? '✅ Plan approved' : approval.toolName === 'AskUserQuestion' && approval.decision === 'once' ? '✅ Answered' : (DECISIONS[approval.decision ?? ''] ?? approval.status);
  const who = approval.decision === 'timeout' || approval.decision === 'cancelled' || approval.decision === 'rule' ? '' : ` by ${plain(nameOf(approval.answeredBy))}`;
  return `${question}\n\n${answer}${who}${approval.message ? `\n_${plain(approval.message)}_` : ''}`;
}
