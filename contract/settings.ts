import * as z from 'zod';
import { chatApps, chatSurfaces, type ChatAppText, type ChatSurface } from './chat';
import { event, method } from './define';

interface SettingDefinition<S extends z.ZodType = z.ZodType> {
  schema: S;
  default: z.output<S>;
  label: string;
  description: string;
}

function setting<S extends z.ZodType>(def: SettingDefinition<S>): SettingDefinition<S> {
  return def;
}

/** One setting for every chat app (`telegram.<suffix>`, `discord.<suffix>`…), typed by key. */
type PerChatApp<Suffix extends string, S extends z.ZodType> = { [K in ChatSurface as `${K}.${Suffix}`]: SettingDefinition<S> };

/** A chat app's setting declared once and made for each app in `chatSurfaces`, from its words in `chatApps`. */
function perChatApp<Suffix extends string, S extends z.ZodType>(suffix: Suffix, def: (app: ChatAppText) => SettingDefinition<S>): PerChatApp<Suffix, S> {
  return Object.fromEntries(chatSurfaces.map((surface) => [`${surface}.${suffix}`, def(chatApps[surface])])) as PerChatApp<Suffix, S>;
}

/** What every chat bot has: on or off, where it reaches its app, when questions go to it, done notes. */
const chatAppSettings = {
  ...perChatApp('enabled', (app) =>
    setting({ schema: z.boolean(), default: false, label: `${app.label} bot on`, description: `Whether the bot starts with Switchboard. Connect and Disconnect in Settings → ${app.label} set it.` }),
  ),
  ...perChatApp('apiRoot', (app) => setting({ schema: z.url({ protocol: /^https?$/ }).max(2000), default: app.apiRoot.default, label: app.apiRoot.label, description: app.apiRoot.description })),
  ...perChatApp('questionDelaySeconds', (app) =>
    setting({ schema: z.number().int().min(0).max(86_400), default: 60, label: 'Send questions from other sessions after (seconds)', description: app.questionsNote }),
  ),
  ...perChatApp('doneNotes', (app) => setting({ schema: z.boolean(), default: true, label: 'Done notes and job results', description: app.doneNotesNote })),
};

/**
 * Every setting, typed and validated. The renderer reads labels from here too, so a new setting
 * appears in the UI by being declared once.
 */
export const settingDefinitions = {
  'appearance.theme': setting({
    schema: z.enum(['system', 'light', 'dark']),
    default: 'system',
    label: 'Theme',
    description: 'Follow the system, or always use light or dark.',
  }),
  'claude.cliPath': setting({
    schema: z
      .string()
      .trim()
      .min(1, 'must not be empty (use null for PATH lookup)')
      .max(4096)
      // Relative to what? Switchboard's own folder is no place a user means: only a full path is checked for what it is.
      .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be a full path to the claude binary, such as /usr/local/bin/claude')
      .nullable(),
    default: null,
    label: 'Claude CLI path',
    description: 'The claude binary to run. Empty: look for claude on PATH. The SWITCHBOARD_CLAUDE environment variable overrides this.',
  }),
  'sessions.maxProcesses': setting({
    schema: z.number().int().min(1).max(64),
    default: 4,
    label: 'Max Claude processes',
    description: 'How many Claude CLI processes may run at once. Idle ones are stopped to make room; past this, sending fails with a capacity error.',
  }),
  'sessions.minFreeMemoryMb': setting({
    schema: z.number().int().min(0).max(1_048_576),
    default: 512,
    label: 'Minimum free memory (MB)',
    description: 'Switchboard does not start another Claude process when less memory than this is free.',
  }),
  'sessions.warmSpare': setting({
    schema: z.boolean(),
    default: true,
    label: 'Keep a warm Claude process for the next new session',
    description: 'One Claude process is started ahead, so a new conversation answers as fast as a follow-up. It gives way to real sessions under the process limit, and is not kept when memory is short or after the idle time.',
  }),
  'sessions.idleStopMinutes': setting({
    schema: z.number().min(0.01).max(10_080),
    default: 30,
    label: 'Stop idle sessions after (minutes)',
    description: 'An idle Claude process is stopped after this long; the next message resumes the session.',
  }),
  'sessions.continueAfterLimit': setting({
    schema: z.boolean(),
    default: true,
    label: 'Carry on after the plan’s limit resets',
    description: 'A turn that stops because the plan’s usage window ran out waits for the reset, then carries on by itself in the same session; messages sent meanwhile wait behind it, and held jobs run after. Off: the turn fails.',
  }),
  'sessions.stallMinutes': setting({
    schema: z.number().min(0.01).max(1440),
    default: 10,
    label: 'Stall watchdog (minutes)',
    description: 'A turn with no output from Claude for this long is interrupted, then killed, and marked stalled.',
  }),
  'sessions.notifyAfterSeconds': setting({
    schema: z.number().min(0).max(86_400),
    default: 30,
    label: 'Notify when a turn took longer than (seconds)',
    description: 'A desktop notification when a turn that ran this long ends. Questions waiting for you always notify.',
  }),
  'approvals.timeoutMinutes': setting({
    schema: z.number().min(0.01).max(10_080),
    default: 10,
    label: 'Deny unanswered questions after (minutes)',
    description: 'A permission question nobody answers is denied after this long, and the session says why.',
  }),
  'embeddings.provider': setting({
    schema: z.enum(['builtin', 'ollama', 'openai']),
    default: 'builtin',
    label: 'Embeddings',
    description: 'Built in: offline, no setup, matches shared words and spellings. Ollama or an OpenAI-compatible endpoint: matches meaning. Changing it re-embeds everything in the background.',
  }),
  'embeddings.ollamaUrl': setting({
    schema: z.url({ protocol: /^https?$/ }).max(2000),
    default: 'http://127.0.0.1:11434',
    label: 'Ollama address',
    description: 'Where Ollama listens.',
  }),
  'embeddings.ollamaModel': setting({
    schema: z.string().trim().min(1).max(200),
    default: 'nomic-embed-text',
    label: 'Ollama model',
    description: 'An embedding model pulled in Ollama.',
  }),
  'embeddings.openaiBaseUrl': setting({
    schema: z.url({ protocol: /^https?$/ }).max(2000),
    default: 'https://api.openai.com/v1',
    label: 'Embeddings endpoint',
    description: 'Base URL of an OpenAI-compatible API (…/v1). Its key is kept with the other secrets.',
  }),
  'embeddings.openaiModel': setting({
    schema: z.string().trim().min(1).max(200),
    default: 'text-embedding-3-small',
    label: 'Embeddings model',
    description: 'The model name the endpoint expects.',
  }),
  'scheduler.keepRuns': setting({
    schema: z.number().int().min(10).max(100_000),
    default: 200,
    label: 'Runs kept per job',
    description: 'The run history of each job keeps this many of its newest runs.',
  }),
  'reports.outputDir': setting({
    schema: z
      .string()
      .trim()
      .min(1)
      .max(4096)
      .regex(/^(\/|~(\/|$)|[A-Za-z]:[\\/]|\\\\)/, 'must be a full path, such as /home/you/Reports or ~/Reports')
      .nullable(),
    default: null,
    label: 'Run output folder',
    description: "Where each Claude job's run gets a folder for the files it makes (its attachments). Empty: Switchboard/Runs in your home folder.",
  }),
  'mail.smtpHost': setting({
    schema: z.string().trim().max(255).nullable(),
    default: null,
    label: 'SMTP server',
    description: 'The mail server job results are sent through (smtp.example.com). Empty: no mail is sent.',
  }),
  'mail.smtpPort': setting({
    schema: z.number().int().min(1).max(65_535),
    default: 587,
    label: 'SMTP port',
    description: '587 for STARTTLS, 465 for TLS from the start, 25 for a relay on your network.',
  }),
  'mail.smtpSecure': setting({
    schema: z.boolean(),
    default: false,
    label: 'TLS from the start',
    description: 'On for port 465. Off: STARTTLS is used when the server offers it.',
  }),
  'mail.smtpUser': setting({
    schema: z.string().trim().max(320).nullable(),
    default: null,
    label: 'SMTP user',
    description: 'The login at the mail server. Empty: no login. Its password is kept with the secrets (SMTP password, below).',
  }),
  'mail.from': setting({
    schema: z.string().trim().max(320).nullable(),
    default: null,
    label: 'Send mail as',
    description: 'The sender address of job results (Switchboard <you@example.com>).',
  }),
  'server.allowedHosts': setting({
    schema: z
      .string()
      .trim()
      .max(2000)
      .regex(/^[A-Za-z0-9.:[\]\-\s,]*$/, 'host names contain only letters, digits, dots, dashes and colons; separate them with spaces or commas'),
    default: '',
    label: 'Allowed host names',
    description:
      'Names this server also answers to besides its own addresses (a tailnet or LAN name), separated by spaces or commas. Requests naming any other host are refused, so a web page cannot reach Switchboard through DNS rebinding.',
  }),
  ...chatAppSettings,
  'telegram.allowGroups': setting({
    schema: z.boolean(),
    default: false,
    label: 'Answer in groups',
    description: 'In groups the bot answers only allowed people, and only messages that mention it or reply to it. Off: groups are ignored.',
  }),
  'voice.transcriptionUrl': setting({
    schema: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(2000)]),
    default: '',
    label: 'Transcription endpoint',
    description:
      'An OpenAI-compatible …/v1/audio/transcriptions address (OpenAI, Groq, a local Whisper server). Voice notes from Telegram and Discord are transcribed there and you see the text. Empty: they are saved and handed to Claude as files only.',
  }),
  'voice.transcriptionModel': setting({
    schema: z.string().trim().min(1).max(200),
    default: 'whisper-1',
    label: 'Transcription model',
    description: 'Sent with each voice note: whisper-1 or gpt-4o-transcribe at OpenAI, whisper-large-v3 at Groq, whatever a local server expects.',
  }),
  'usage.windowTokenLimit': setting({
    schema: z.number().int().min(0).max(1_000_000_000_000),
    default: 0,
    label: 'Tokens in a 5-hour window (for the estimate)',
    description: "Where the CLI does not report your plan's own figure, the meter shows the current window against this many tokens, and warnings and holds use it. 0: against the largest earlier window, shown but not used for warnings or holds.",
  }),
  'usage.weekTokenLimit': setting({
    schema: z.number().int().min(0).max(10_000_000_000_000),
    default: 0,
    label: 'Tokens in a week (for the estimate)',
    description: 'The same for the weekly limit. 0: against the busiest earlier seven days, shown but not used for warnings.',
  }),
  'usage.alertPercents': setting({
    schema: z
      .string()
      .trim()
      .max(100)
      .regex(/^(\s*\d{1,3}(\.\d+)?\s*(,\s*\d{1,3}(\.\d+)?\s*)*)?$/, 'percentages separated by commas, such as 80, 95')
      .refine((text) => text.split(',').every((p) => !p.trim() || (Number(p) > 0 && Number(p) <= 100)), 'each percentage must be above 0 and at most 100, such as 80, 95'),
    default: '80, 95',
    label: 'Warn when a window reaches (%)',
    description: 'A note on the desktop and in your chats with the bots (Telegram, Discord), once per window for each threshold. Empty: no warnings.',
  }),
  'usage.dailySpendAlertUsd': setting({
    schema: z.number().min(0).max(1_000_000),
    default: 0,
    label: 'Warn when a day’s spend reaches ($)',
    description: 'Once a day. 0: no warning.',
  }),
  'usage.holdJobsAbovePercent': setting({
    schema: z.number().min(0).max(100),
    default: 0,
    label: 'Hold scheduled Claude jobs above (%)',
    description: "A Claude job due while the 5-hour window is at or above this is held: recorded as held, then run when the window resets, or skipped, by the job's missed-run policy. 0: never hold.",
  }),
  'usage.dailyBudgetUsd': setting({
    schema: z.number().min(0).max(1_000_000),
    default: 0,
    label: 'Daily budget ($)',
    description: 'For API keys: past it, new turns are refused on every surface (with the reason), and jobs are skipped, until tomorrow. Counts all Claude use on this machine. 0: none.',
  }),
  'usage.monthlyBudgetUsd': setting({
    schema: z.number().min(0).max(10_000_000),
    default: 0,
    label: 'Monthly budget ($)',
    description: 'The same for the calendar month. 0: none.',
  }),
  'usage.surfaceBudgets': setting({
    schema: z
      .string()
      .trim()
      .max(500)
      .regex(/^(\s*[a-z]+\s*=\s*\d+(\.\d+)?\s*(,\s*[a-z]+\s*=\s*\d+(\.\d+)?\s*)*)?$/, 'surface=dollars, separated by commas, such as telegram=2, discord=1.5'),
    default: '',
    label: 'Daily budget per surface',
    description: 'A daily cap for the turns one surface starts (desktop, browser, schedule, telegram, discord, mcp), such as telegram=2, discord=1.5. Empty: none.',
  }),
  'hooks.phoneDelaySeconds': setting({
    schema: z.number().int().min(0).max(3600),
    default: 10,
    label: 'Send terminal questions to the phone after (seconds)',
    description: "A permission question from Claude Code in a terminal shows in this window at once, and on Telegram or Discord only once it has waited this long: answering at the keyboard sends nothing.",
  }),
  'hooks.questionWaitSeconds': setting({
    schema: z.number().int().min(5).max(3600),
    default: 60,
    label: 'Terminal questions wait for an answer here for (seconds)',
    description:
      "How long a permission question from Claude Code in a terminal waits for an answer in this window or on the phone. Past it the terminal decides as it would without Switchboard: its own prompt, or in a claude -p run, a refusal.",
  }),
  'hooks.replyWindowSeconds': setting({
    schema: z.number().int().min(0).max(3600),
    default: 0,
    label: 'Reply to continue a terminal session within (seconds)',
    description:
      "When Claude Code stops in a terminal, its last message reaches your phone; a reply within this window continues the same session. The terminal waits for the window to pass, so 0 (off) keeps it free; 120 is a good value when you work from the phone.",
  }),
  'memory.duplicateSimilarity': setting({
    schema: z.number().min(0.5).max(1),
    default: 0.8,
    label: 'Near-duplicate similarity',
    description:
      'How similar (cosine) a memory must be to a new one to be checked as the same fact. Only the same fact, said again (other case, punctuation, word forms, typos), updates it; anything else is added.',
  }),
};

export type SettingKey = keyof typeof settingDefinitions;
export type SettingValues = { [K in SettingKey]: z.output<(typeof settingDefinitions)[K]['schema']> };
export type SettingChange = { [K in SettingKey]: { key: K; value: SettingValues[K] } }[SettingKey];

export const settingKeys = Object.keys(settingDefinitions) as SettingKey[];

const keySchema = z.enum(settingKeys as [SettingKey, ...SettingKey[]]);

// One branch per key, so a wrong value fails with a message about that key's type at path "value".
const setInputSchema = z.discriminatedUnion(
  'key',
  settingKeys.map((key) => z.object({ key: z.literal(key), value: settingDefinitions[key].schema }).strict()) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
) as unknown as z.ZodType<SettingChange>;

export const settingsMethods = {
  'settings.get': method<SettingValues[SettingKey]>()(z.object({ key: keySchema }).strict(), 'One setting value.'),
  'settings.set': method<SettingChange>()(setInputSchema, 'Validate and store one setting; the old value stays on error.'),
  'settings.list': method<SettingValues>()(z.object({}).strict(), 'All settings, defaults filled in.'),
};

export const settingsEvents = {
  'settings.changed': event<SettingChange>('A setting was stored.'),
};
