import { money } from '../../../contract';
import type { ChatCommand } from './command-context';
import { changesCommand } from './review';

export type { ChatCommand, CommandContext } from './command-context';

const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'default'];

const newSession: Pick<ChatCommand, 'run'> = {
  async run(c) {
    const created = await c.renew();
    c.reply(`🆕 New session started in \`${created.cwd}\`. The last one stays in history.`);
  },
};

/**
 * The chat commands, one table: Telegram registers them with setMyCommands, Discord as slash commands.
 * Each acts through the contract as the person who typed it. Access never changes from here: pairing is
 * answered in the window only, so "add me to the allowlist" is text for Claude, not a command.
 */
export const chatCommands: ChatCommand[] = [
  { name: 'new', description: 'Start a new Claude session in this chat', ...newSession },
  { name: 'reset', description: 'The same as /new (on Discord, for people who may manage messages)', moderated: true, ...newSession },
  {
    name: 'stop',
    description: 'Stop what Claude is doing now',
    async run(c) {
      const { interrupted } = await c.call('sessions.interrupt', { id: (await c.session()).id });
      c.reply(interrupted ? '⏹ Stopped.' : 'Nothing is running.');
    },
  },
  {
    name: 'status',
    description: 'This chat’s session (model, folder, queue, cost) and every active one',
    async run(c) {
      const s = await c.session();
      const active = (await c.call('sessions.list', {})).filter((x) => x.id !== s.id && (x.status === 'running' || x.queueLength > 0));
      c.reply(
        [
          `*${s.title}*`,
          `Status: ${s.status}${s.queueLength ? `, ${s.queueLength} waiting` : ''}`,
          `Model: ${s.model ?? 'the CLI’s default'}`,
          `Folder: \`${s.cwd}\``,
          `Permissions: ${s.permissionPolicy}`,
          `Cost so far: ${money(s.costUsd)}`,
          s.lastError ? `Last error: ${s.lastError}` : '',
          active.length ? `\n*Also working (${active.length}):*` : '',
          ...active.slice(0, 10).map((x) => `• ${x.title} (${x.surface}): ${x.status}${x.queueLength ? `, ${x.queueLength} waiting` : ''}, ${money(x.costUsd)}`),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    },
  },
  {
    name: 'model',
    description: 'Show or change the model (/model sonnet)',
    argument: { name: 'name', description: 'sonnet, opus, haiku, a full model id, or default' },
    button: 'm',
    async run(c, args) {
      if (args) return this.press!(c, [args]);
      const s = await c.session();
      c.reply(`Model: *${s.model ?? 'the CLI’s default'}*. Choose another, or type /model <name>.`, [MODEL_ALIASES.map((m) => ({ label: m, data: `m:${m}` }))]);
    },
    async press(c, [model]) {
      const s = await c.call('sessions.update', { id: (await c.session()).id, model: model === 'default' ? null : model! });
      c.reply(`Model: *${s.model ?? 'the CLI’s default'}* from your next message.`);
    },
  },
  {
    name: 'folder',
    description: 'Start a session in one of your project folders',
    button: 'f',
    async run(c) {
      const folders = (await c.call('sessions.folders', {})).slice(0, 10);
      if (!folders.length) return c.reply('No project folders yet: sessions here and Claude Code sessions on this machine add them.');
      c.offerFolders(folders);
      c.reply(
        'Which folder? (🌿: in a git worktree of its own, on its own branch, to review, merge or discard)',
        folders.map((f, i) => [
          { label: f.split('/').slice(-2).join('/'), data: `f:${i}` },
          { label: '🌿 own worktree', data: `f:${i}:w` },
        ]),
      );
    },
    async press(c, [index, worktree]) {
      const folder = c.offeredFolder(Number(index));
      if (!folder) return c.reply('That list is old: /folder again.');
      const created = await c.renew(folder, worktree === 'w');
      c.reply(created.worktree ? `🌿 New session on \`${created.worktree.branch}\` (from \`${created.worktree.baseBranch}\` in \`${created.worktree.repo}\`). /changes shows what it changed.` : `📁 New session in \`${created.cwd}\`.`);
    },
  },
  {
    name: 'sessions',
    description: 'Continue one of your sessions here (desktop ones too)',
    button: 's',
    async run(c) {
      const sessions = (await c.call('sessions.list', {})).filter((s) => s.surface !== 'schedule').slice(0, 10);
      if (!sessions.length) return c.reply('No sessions yet.');
      c.reply(
        'Continue which session here?',
        sessions.map((s) => [{ label: `${s.status === 'running' ? '▶ ' : ''}${s.title}`.slice(0, 60), data: `s:${s.id}` }]),
      );
    },
    async press(c, [id]) {
      const session = await c.call('sessions.get', { id: id! });
      c.bind(id!);
      c.reply(`↪️ This chat now continues *${session.title}*. Messages from the window and from here both show in both.`);
    },
  },
  {
    name: 'jobs',
    description: 'Your scheduled jobs; run one now',
    button: 'j',
    async run(c) {
      const jobs = await c.call('schedules.list', {});
      if (!jobs.length) return c.reply('No scheduled jobs. Make them in Switchboard → Schedules.');
      const lines = jobs.slice(0, 20).map((j) => `• *${j.name}* — \`${j.cron}\`${j.approval ? ' (waits for approval)' : j.enabled ? '' : ' (off)'}${j.recent[0] ? `, last ${j.recent[0]}` : ''}`);
      c.reply(lines.join('\n'), jobs.slice(0, 10).map((j) => [{ label: `Run ${j.name}`.slice(0, 60), data: `j:${j.id}` }]));
    },
    async press(c, [id]) {
      const run = await c.call('schedules.runNow', { id: id! });
      c.reply(`▶ Started (${run.status}). The result comes here when it is done, if the job sends to this app.`);
    },
  },
  {
    name: 'task',
    description: 'Run a prompt in the background in a fresh session; the answer comes back here (/task sum up the open PRs)',
    argument: { name: 'prompt', description: 'What Claude should do' },
    async run(c, args) {
      if (!args) return c.reply('What should Claude do? /task <prompt>');
      // A session of its own with a folder for files, so this chat's conversation goes on meanwhile; the
      // answer comes back through task-answers.ts when it ends (after a restart too), not a wait here.
      const task = await c.call('tasks.start', { prompt: args, replyTo: c.chatKey });
      c.reply(`⏳ Working on it in the background, in a fresh session (*${task.title}*). The answer comes here when it is done, with any files it makes; /status shows it meanwhile.`);
    },
  },
  {
    name: 'memory',
    description: 'Search what Switchboard remembers (/memory deploy)',
    argument: { name: 'query', description: 'What to look for' },
    async run(c, args) {
      if (!args) return c.reply('What should I look for? /memory <words>');
      const { hits } = await c.call('memory.search', { query: args, limit: 8 });
      c.reply(hits.length ? hits.map((h) => `• ${h.memory.text} _(#${h.memory.id}, ${h.memory.category})_`).join('\n') : `Nothing remembered about “${args}”.`);
    },
  },
  {
    name: 'remember',
    description: 'Remember something (/remember the staging host is kite)',
    argument: { name: 'text', description: 'What Switchboard should remember' },
    async run(c, args) {
      if (!args) return c.reply('What should I remember? /remember <text>');
      const added = await c.call('memory.add', { text: args, source: { kind: 'user' } });
      c.reply(added.action === 'added' ? `🧠 Remembered (#${added.memory.id}).` : `🧠 Updated #${added.memory.id}; it said: “${added.replaced?.text ?? ''}”.`);
    },
  },
  {
    name: 'cost',
    description: 'What Claude cost today, this week and month, and how full the plan window is',
    async run(c) {
      const s = await c.session();
      const u = await c.call('usage.summary', { days: 1 });
      const window = (w: typeof u.windows.fiveHour, name: string) =>
        w.percent === null ? '' : `${name}: ${Math.round(w.percent)}%${w.source === 'plan' ? '' : ' (estimated)'}${w.resetsAt ? `, resets ${new Date(w.resetsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : ''}`;
      c.reply(
        [
          `This session: ${money(s.costUsd)}`,
          `Today: ${money(u.today.costUsd)} · this week: ${money(u.week.costUsd)} · this month: ${money(u.month.costUsd)}`,
          window(u.windows.fiveHour, '5-hour window'),
          window(u.windows.week, 'Week'),
          ...u.budgets.map((b) => `Budget (${b.scope === 'day' ? 'today' : b.scope === 'month' ? 'this month' : b.scope.replace('surface:', 'today, ')}): ${money(b.spentUsd)} of ${money(b.capUsd)}`),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    },
  },
  changesCommand,
  {
    name: 'help',
    description: 'What this bot does',
    async run(c) {
      c.reply(
        `Write to talk with Claude in this chat's session; photos, files and voice notes are saved into its folder and handed to Claude. Questions from Claude come with buttons.\n\n${chatCommands.map((x) => `/${x.name} — ${x.description}`).join('\n')}`,
      );
    },
  },
];
