import fs from 'node:fs';
import path from 'node:path';
import { MARK_END, MARK_START, type JobRun, type PromptSource } from '../../contract';
import { errorMessage } from '../errors';
import type { ShellResult } from './shell-runner';
import { cut, renderTemplate, type RenderData, type Rendered, type SourceValue, type TemplateJob } from './template-render';

export type { Rendered, TemplateJob } from './template-render';

/** The most of a file a template takes in: a prompt is not the place for a whole log. */
export const MAX_FILE_CHARS = 100_000;

/** What rendering needs from the rest of Switchboard: memory and history search, and a shell for command sources. */
export interface TemplateServices {
  memories(query: string, limit: number): Promise<string[]>;
  history(query: string, limit: number): Promise<string[]>;
  shell(command: string, cwd: string, timeoutMs: number): Promise<ShellResult>;
  /** Why a file may not be read into a prompt (Switchboard's data, Claude Code's credentials), or null. */
  unreadable?(file: string): Promise<string | null>;
  /** Fills the template off the main thread (the template worker); without it, in-thread. */
  render?: (data: RenderData) => Promise<Rendered>;
}

export { NO_EARLIER_RUN, NO_NEXT_PROMPT } from './template-render';


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


const unmark = (text: string) => text.split(MARK_START).join('').split(MARK_END).join('');

/** One declared source's value, or why it has none. */
async function gather(source: PromptSource, job: TemplateJob, input: RenderInput, services: TemplateServices): Promise<SourceValue> {
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
 * Renders a Claude job's prompt and system prompt as its run would, now: every declared source gathered
 * (here, on the main thread: files, commands and searches are I/O), then the template filled by `render`
 * (the template worker, off the main thread, with a deadline) and every gap recorded in words. A prompt
 * that is not a template comes back as it is. A template stopped for taking too long or too much memory
 * comes back with `failed` saying so: its run fails rather than start with half a prompt.
 */
export async function renderJobPrompt(input: RenderInput, services: TemplateServices): Promise<Rendered> {
  const { job } = input;
  if (!job.template) return { prompt: job.command, systemPrompt: job.systemPrompt, problems: [], sources: [], wouldSkip: false };
  const values = await Promise.all(job.sources.map((s) => gather(s, job, input, services)));
  const data: RenderData = {
    job: {
      command: job.command,
      systemPrompt: job.systemPrompt,
      values: job.values,
      onMissing: job.onMissing,
      timeZone: job.timeZone,
      id: job.id ?? '',
      name: job.name ?? '',
      sources: job.sources.map((s) => ({ name: s.name, kind: s.kind })),
    },
    // What a source feeds in is capped as a file is: a search or command printing megabytes is not a prompt.
    values: values.map((v) => (v.ok && v.text.length > MAX_FILE_CHARS ? { ok: true, text: `${v.text.slice(0, MAX_FILE_CHARS)}\n… (cut: ${v.text.length} characters in all)` } : v)),
    run: { id: input.run?.id ?? '(preview)', output_dir: input.run?.outputDir ?? '(the run’s output folder)', attempt: input.run?.attempt ?? 1 },
    lastRun: input.lastRun,
    nextPrompt: input.nextPrompt?.text ?? null,
    now: input.now,
  };
  try {
    return await (services.render ?? renderTemplate)(data);
  } catch (error) {
    const why = errorMessage(error);
    return {
      prompt: `[the prompt template could not be rendered: ${why}]\n\n${job.command}`,
      systemPrompt: job.systemPrompt,
      problems: [why],
      sources: [],
      wouldSkip: job.onMissing === 'skip',
      failed: why,
    };
  }
}
