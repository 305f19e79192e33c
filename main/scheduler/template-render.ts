import type { Drop as LiquidDrop, Liquid } from 'liquidjs';
import type { Job, JobRun, PromptPreview, PromptSource, SourcePreview } from '../../contract';
import { errorMessage } from '../errors';

/** The job's fields a render reads. */
export type TemplateJob = Pick<Job, 'command' | 'template' | 'systemPrompt' | 'sources' | 'values' | 'onMissing' | 'timeZone' | 'cwd'> & { id?: string; name?: string };

/** The preview, and for a render that was stopped (too slow, too big), why: the run fails with it. */
export type Rendered = PromptPreview & { failed?: string };

/** The most a rendered prompt (or system prompt) may hold: about 50,000 words, well past any model's use. */
export const MAX_RENDERED_CHARS = 400_000;

/** What `last_run` prints on a job's first run (its `.status` is `none`). */
export const NO_EARLIER_RUN = '(no earlier run: this is the job’s first)';

/** What `next_prompt` prints when no run left one for this run (a next prompt is used up by the run after it). */
export const NO_NEXT_PROMPT = '(no next prompt: the run before this one left none)';

// The rendering half of a template job's prompt, with nothing of Switchboard's but types and errorMessage: it runs in the
// template worker (template-worker.ts, bundled as dist/main/template-worker.cjs), where a template that
// runs long or builds something huge holds that thread, not the event loop every stream and call runs on.

/**
 * LiquidJS's own allowance (characters of strings and items of arrays a render may make): enough for
 * prompts with several 100,000-character sources, far below what a `split: "" | sort` bomb needs to take
 * seconds. One filter step still runs to its end, which is why rendering happens off the main thread.
 */
export const TEMPLATE_MEMORY_UNITS = 10_000_000;
/** A source's text shown in the editor's preview (the prompt itself shows all of it). */
const PREVIEW_CHARS = 600;

/** One declared source's value as gathered on the main thread, or why it has none. */
export type SourceValue = { ok: true; text: string } | { ok: false; why: string };

/** Everything a render reads, as plain data (it crosses to the worker by structured clone). */
export interface RenderData {
  job: Pick<TemplateJob, 'command' | 'systemPrompt' | 'values' | 'onMissing' | 'timeZone'> & { id: string; name: string; sources: Pick<PromptSource, 'name' | 'kind'>[] };
  /** The sources' values, in the order of `job.sources`. */
  values: SourceValue[];
  run: { id: string; output_dir: string; attempt: number };
  lastRun: JobRun | null;
  nextPrompt: string | null;
  now: number;
}

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
  /**
   * `last_run` on a job's first run: an explicit "no earlier run", not a gap, so a job that skips on a gap
   * can make its first run (skipped runs never become a last run, so a gap here would skip forever).
   */
  class NoLastRun extends Drop {
    readonly id = '';
    readonly status = 'none';
    readonly result = NO_EARLIER_RUN;
    readonly reason = '';
    readonly started_at = '';
    readonly ended_at = '';
    override valueOf(): string {
      return NO_EARLIER_RUN;
    }
  }
  return { Gap, Now, LastRun, NoLastRun, Values };
}

let loaded: Promise<{ Liquid: typeof Liquid; drops: ReturnType<typeof dropClasses> }> | null = null;
/** LiquidJS and the classes on it, loaded once, when the first template is rendered (or the worker starts). */
export function liquidjs() {
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
    memoryLimit: TEMPLATE_MEMORY_UNITS,
  });
}

/** Text cut to `max` characters, saying how much more there was. */
export const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text);

/**
 * Renders a template job's prompt and system prompt from gathered values: the built-ins filled, and every
 * gap recorded in words (a source that failed, a name with no value); in the text a gap is marked
 * `[missing …]`, never left an empty string.
 */
export async function renderTemplate(data: RenderData): Promise<Rendered> {
  const { job } = data;
  const { Liquid: Engine, drops } = await liquidjs();
  const { Gap, Now, LastRun, NoLastRun, Values } = drops;
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
  const declared = new Set(job.sources.map((s) => s.name));
  job.sources.forEach((source, i) => {
    const value = data.values[i] ?? { ok: false, why: 'it was not gathered' };
    previews.push({ name: source.name, kind: source.kind, ok: value.ok, text: value.ok ? cut(value.text, PREVIEW_CHARS) : value.why });
    scope[source.name] = value.ok ? value.text : gap(source.name, value.why);
  });

  const builtin = (name: string, value: unknown, shown: string) => {
    previews.push({ name, kind: 'builtin', ok: !(value instanceof Gap), text: value instanceof Gap ? value.valueOf().slice(1, -1) : cut(shown, PREVIEW_CHARS) });
    scope[name] = value;
  };
  const now = new Now(data.now, job.timeZone);
  builtin('now', now, now.valueOf());
  // `last_run` and `next_prompt` are always there (README): their absence is said in words, never a gap,
  // since a job that skips on a gap would otherwise skip its first run, and every run after it.
  const last = data.lastRun ? new LastRun(data.lastRun, job.timeZone) : new NoLastRun();
  builtin('last_run', last, last instanceof LastRun ? `${last.status}: ${last.result}` : NO_EARLIER_RUN);
  builtin('next_prompt', data.nextPrompt !== null ? data.nextPrompt : NO_NEXT_PROMPT, data.nextPrompt ?? NO_NEXT_PROMPT);
  scope.values = new Values(job.values, (name) => gap(name, 'no value of that name is set on the job'));
  scope.job = { name: job.name, id: job.id };
  scope.run = data.run;

  // A name the template uses that nothing provides: a gap, recorded (a typo must not vanish into an empty string).
  for (const name of used) if (!(name in scope) && !declared.has(name)) scope[name] = gap(name, 'no source or built-in has this name');

  const render = async (which: typeof parsed.prompt | null): Promise<string | null> => {
    if (!which) return null;
    if (!which.ok) {
      problems.push(which.why);
      return null;
    }
    try {
      const text = String(await liquid.render(which.tpl, scope));
      // A loop can multiply a value into millions of characters: never handed on (nor across the worker's port).
      if (text.length > MAX_RENDERED_CHARS) throw new Error(`it came to ${text.length.toLocaleString('en')} characters, over the ${MAX_RENDERED_CHARS.toLocaleString('en')} a prompt may have`);
      return text;
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
