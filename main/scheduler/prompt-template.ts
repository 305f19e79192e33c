import fs from 'node:fs';
import path from 'node:path';
import type { Drop as LiquidDrop, Liquid } from 'liquidjs';
import { MARK_END, MARK_START, type Job, type JobRun, type PromptPreview, type PromptSource, type SourcePreview } from '../../contract';
import { errorMessage } from '../errors';
import type { ShellResult } from './shell-runner';

/** The most of a file a template takes in: a prompt is not the place for a whole log. */
export const MAX_FILE_CHARS = 100_000;
/** A source's text shown in the editor's preview (the prompt itself shows all of it). */
const PREVIEW_CHARS = 600;

/** What rendering needs from the rest of Switchboard: memory and history search, and a shell for command sources. */
export interface TemplateServices {
  memories(query: string, limit: number): Promise<string[]>;
  history(query: string, limit: number): Promise<string[]>;
  shell(command: string, cwd: string, timeoutMs: number): Promise<ShellResult>;
  /** Why a file may not be read into a prompt (Switchboard's data, Claude Code's credentials), or null. */
  unreadable?(file: string): Promise<string | null>;
}

/** The job's fields a render reads. */
export type TemplateJob = Pick<Job, 'command' | 'template' | 'systemPrompt' | 'sources' | 'values' | 'onMissing' | 'timeZone' | 'cwd'> & { id?: string; name?: string };

export interface RenderInput {
  job: TemplateJob;
  /** This run: its id and output folder (null in a preview). */
  run: { id: string; outputDir: string | null; attempt: number } | null;
  /** The last run that ran, for `last_run`. */
  lastRun: JobRun | null;
  /** The newest next prompt a run left, for `next_prompt`. */
  nextPrompt: { text: string; runId: string; endedAt: number } | null;
  now: number;
  /** Whether command sources may run (a preview asked by someone other than the owner may not). */
  allowCommands: boolean;
}

export type Rendered = PromptPreview;

/** The value classes a template reads, made on LiquidJS's Drop once it is loaded (it loads with the first template rendered). */
function dropClasses(Drop: typeof LiquidDrop) {
  /**
   * A value that is not there: it prints as a marker naming what is missing and why, and any property of
   * it is the same marker, so `{{ last_run.result }}` on a job that never ran says so instead of printing
   * nothing.
   */
  class Gap extends Drop {
    constructor(private readonly marker: string) {
      super();
    }
    override liquidMethodMissing(): Gap {
      return this;
    }
    override valueOf(): string {
      return this.marker;
    }
    override toString(): string {
      return this.marker;
    }
  }

  /** `now`: the time in the job's zone, printed in words, with its parts as properties. */
  class Now extends Drop {
    readonly iso: string;
    readonly date: string;
    readonly time: string;
    readonly weekday: string;
    readonly zone: string;
    readonly hour: number;
    readonly minute: number;
    readonly timestamp: number;
    private readonly words: string;
    constructor(at: number, zone: string) {
      super();
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'long', hourCycle: 'h23' })
          .formatToParts(new Date(at))
          .map((p) => [p.type, p.value]),
      ) as Record<string, string>;
      this.date = `${parts.year}-${parts.month}-${parts.day}`;
      this.time = `${parts.hour}:${parts.minute}`;
      this.weekday = parts.weekday!;
      this.zone = zone;
      this.hour = Number(parts.hour);
      this.minute = Number(parts.minute);
      this.timestamp = at;
      this.iso = `${this.date}T${this.time}:${parts.second}`;
      this.words = `${this.weekday} ${this.date} ${this.time} (${zone})`;
    }
    override valueOf(): string {
      return this.words;
    }
  }

  /** `last_run`: prints its result; status, reason, times and the rest as properties. */
  class LastRun extends Drop {
    readonly status: string;
    readonly result: string;
    readonly reason: string;
    readonly started_at: string;
    readonly ended_at: string;
    readonly id: string;
    constructor(run: JobRun, zone: string) {
      super();
      this.id = run.id;
      this.status = run.status;
      this.result = (run.resultText ?? run.stdoutTail ?? '').trim() || `(the run ended ${run.status} with no text)`;
      this.reason = run.reason ?? '';
      this.started_at = run.startedAt ? new Now(run.startedAt, zone).valueOf() : '';
      this.ended_at = run.endedAt ? new Now(run.endedAt, zone).valueOf() : '';
    }
    override valueOf(): string {
      return this.result;
    }
  }

  /** `values`: the job's values; a name not set is a gap, recorded, never an empty string. */
  class Values extends Drop {
    constructor(
      values: Record<string, string>,
      private readonly missing: (name: string) => Gap,
    ) {
      super();
      Object.assign(this, values);
    }
    override liquidMethodMissing(key: string | number): Gap {
      return this.missing(`values.${key}`);
    }
  }
  return { Gap, Now, LastRun, Values };
}

let loaded: Promise<{ Liquid: typeof Liquid; drops: ReturnType<typeof dropClasses> }> | null = null;
/** LiquidJS and the classes on it, loaded once, when the first template is rendered. */
function liquidjs() {
  loaded ??= import('liquidjs').then((m) => ({ Liquid: m.Liquid, drops: dropClasses(m.Drop) }));
  return loaded;
}

/** Files and partials are never read by a template: `include`, `render` and `layout` fail with this. */
const noFiles = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot read files; use a file source');
  },
  readFileSync: () => {
    throw new Error('templates cannot read files; use a file source');
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
};

/**
 * The engine: LiquidJS, chosen because a template can only read the values it is given and apply
 * filters (no JavaScript, no property of a value's prototype with `ownPropertyOnly`, no file with the
 * stub above), so a prompt written by a chat or a Claude session cannot run code; time and memory
 * limits keep a runaway loop from holding the event loop.
 */
function engine(Engine: typeof Liquid, timeZone: string): Liquid {
  return new Engine({
    ownPropertyOnly: true,
    strictFilters: true,
    fs: noFiles,
    root: [],
    relativeReference: false,
    timezoneOffset: timeZone,
    parseLimit: 1_000_000,
    renderLimit: 2_000,
    memoryLimit: 50_000_000,
  });
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text);
const unmark = (text: string) => text.split(MARK_START).join('').split(MARK_END).join('');

/** One declared source's value, or why it has none. */
async function gather(source: PromptSource, job: TemplateJob, input: RenderInput, services: TemplateServices): Promise<{ ok: true; text: string } | { ok: false; why: string }> {
  try {
    switch (source.kind) {
      case 'memories': {
        const found = await services.memories(source.query, source.limit);
        return { ok: true, text: found.length ? found.map((m) => `- ${m}`).join('\n') : `(no memory matches “${source.query}”)` };
      }
      case 'history': {
        const found = await services.history(source.query, source.limit);
        return { ok: true, text: found.length ? found.map((h) => `- ${unmark(h)}`).join('\n') : `(nothing in the history matches “${source.query}”)` };
      }
      case 'file': {
        if (!job.cwd) return { ok: false, why: 'the job has no folder to read it from' };
        const folder = await fs.promises.realpath(job.cwd).catch(() => null);
        if (!folder) return { ok: false, why: `the job's folder ${job.cwd} does not exist` };
        const file = path.resolve(folder, source.path);
        const real = await fs.promises.realpath(file).catch(() => null);
        if (!real) return { ok: false, why: `there is no file ${source.path} in ${job.cwd}` };
        if (real !== folder && !real.startsWith(folder + path.sep)) return { ok: false, why: `${source.path} is outside the job's folder ${job.cwd}` };
        const refused = await services.unreadable?.(real);
        if (refused) return { ok: false, why: refused };
        const stats = await fs.promises.stat(real);
        if (!stats.isFile()) return { ok: false, why: `${source.path} is not a regular file` };
        const handle = await fs.promises.open(real, 'r');
        try {
          const buffer = Buffer.alloc(Math.min(stats.size, MAX_FILE_CHARS * 4));
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
          const text = buffer.subarray(0, bytesRead).toString('utf8');
          return { ok: true, text: text.length > MAX_FILE_CHARS || stats.size > buffer.length ? `${text.slice(0, MAX_FILE_CHARS)}\n… (the file goes on: ${stats.size} bytes in all)` : text };
        } finally {
          await handle.close();
        }
      }
      case 'command': {
        if (!input.allowCommands) return { ok: false, why: 'commands run only in a preview asked from the Switchboard window' };
        if (!job.cwd) return { ok: false, why: 'the job has no folder to run it in' };
        const result = await services.shell(source.command, job.cwd, source.timeoutSeconds * 1000);
        if (result.status !== 'ok') {
          const said = result.stderrTail.trim().split('\n').slice(-3).join(' ').slice(0, 300);
          return { ok: false, why: `\`${cut(source.command, 80)}\` ${result.reason ?? result.status}${said ? `: ${said}` : ''}` };
        }
        return { ok: true, text: result.stdoutTail.replace(/\s+$/, '') || '(the command printed nothing)' };
      }
    }
  } catch (error) {
    return { ok: false, why: errorMessage(error) };
  }
}

/**
 * Renders a Claude job's prompt and system prompt as its run would, now: every declared source gathered,
 * the built-ins filled, and every gap recorded in words (a source that failed, a name with no value);
 * in the text a gap is marked `[missing …]`, never left an empty string. A prompt that is not a template
 * comes back as it is.
 */
export async function renderJobPrompt(input: RenderInput, services: TemplateServices): Promise<Rendered> {
  const { job } = input;
  if (!job.template) return { prompt: job.command, systemPrompt: job.systemPrompt, problems: [], sources: [], wouldSkip: false };
  const { Liquid: Engine, drops } = await liquidjs();
  const { Gap, Now, LastRun, Values } = drops;
  type Gap = InstanceType<typeof Gap>;
  const problems: string[] = [];
  const previews: SourcePreview[] = [];
  const gaps = new Map<string, Gap>();
  const gap = (name: string, why: string): Gap => {
    const existing = gaps.get(name);
    if (existing) return existing;
    problems.push(`${name}: ${why}`);
    const made = new Gap(`[missing ${name}: ${why}]`);
    gaps.set(name, made);
    return made;
  };

  const liquid = engine(Engine, job.timeZone);
  const parse = (name: string, text: string) => {
    try {
      return { ok: true as const, tpl: liquid.parse(text), names: liquid.globalVariablesSync(text) };
    } catch (error) {
      return { ok: false as const, why: `${name} is not a valid template: ${errorMessage(error).split('\n')[0]}` };
    }
  };
  const parsed = { prompt: parse('the prompt', job.command), system: job.systemPrompt ? parse('the system prompt', job.systemPrompt) : null };
  const used = new Set<string>([...(parsed.prompt.ok ? parsed.prompt.names : []), ...(parsed.system?.ok ? parsed.system.names : [])]);

  const scope: Record<string, unknown> = {};
  const declared = new Map(job.sources.map((s) => [s.name, s]));
  const values = await Promise.all(job.sources.map((s) => gather(s, job, input, services)));
  job.sources.forEach((source, i) => {
    const value = values[i]!;
    previews.push({ name: source.name, kind: source.kind, ok: value.ok, text: value.ok ? cut(value.text, PREVIEW_CHARS) : value.why });
    scope[source.name] = value.ok ? value.text : gap(source.name, value.why);
  });

  const builtin = (name: string, value: unknown, shown: string) => {
    previews.push({ name, kind: 'builtin', ok: !(value instanceof Gap), text: value instanceof Gap ? value.valueOf().slice(1, -1) : cut(shown, PREVIEW_CHARS) });
    scope[name] = value;
  };
  const now = new Now(input.now, job.timeZone);
  builtin('now', now, now.valueOf());
  // A built-in with no value is a gap only where the template uses it: a first run need not mention last_run.
  const absent = (name: string, why: string) => (used.has(name) ? gap(name, why) : new Gap(`[missing ${name}: ${why}]`));
  const last = input.lastRun ? new LastRun(input.lastRun, job.timeZone) : absent('last_run', 'this job has not run before');
  builtin('last_run', last, last instanceof LastRun ? `${last.status}: ${last.result}` : '');
  builtin('next_prompt', input.nextPrompt ? input.nextPrompt.text : absent('next_prompt', 'no earlier run left a next prompt (set_next_prompt)'), input.nextPrompt?.text ?? '');
  scope.values = new Values(job.values, (name) => gap(name, 'no value of that name is set on the job'));
  scope.job = { name: job.name ?? '', id: job.id ?? '' };
  scope.run = { id: input.run?.id ?? '(preview)', output_dir: input.run?.outputDir ?? '(the run’s output folder)', attempt: input.run?.attempt ?? 1 };

  // A name the template uses that nothing provides: a gap, recorded (a typo must not vanish into an empty string).
  for (const name of used) if (!(name in scope) && !declared.has(name)) scope[name] = gap(name, 'no source or built-in has this name');

  const render = async (which: typeof parsed.prompt | null): Promise<string | null> => {
    if (!which) return null;
    if (!which.ok) {
      problems.push(which.why);
      return null;
    }
    try {
      return String(await liquid.render(which.tpl, scope));
    } catch (error) {
      problems.push(`the template failed: ${errorMessage(error).split('\n')[0]}`);
      return null;
    }
  };
  const prompt = await render(parsed.prompt);
  const systemPrompt = await render(parsed.system);
  return {
    // A template that cannot render at all leaves its text as written, marked: the run still says what went wrong.
    prompt: prompt ?? `[the prompt template could not be rendered: ${problems.at(-1)}]\n\n${job.command}`,
    systemPrompt: job.systemPrompt ? (systemPrompt ?? job.systemPrompt) : null,
    problems,
    sources: previews,
    wouldSkip: job.onMissing === 'skip' && problems.length > 0,
  };
}
