import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job, JobRun, RunAttachment } from '../../contract';
import { expandFolder } from '../folders';

/** At most this many files of a run are its attachments (a run that writes thousands is not a report). */
export const MAX_ATTACHMENTS = 50;

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'job';

/**
 * Where runs keep their files: the setting, or Switchboard/Runs in the home folder (outside the data folder,
 * so its files may be sent). Without a home folder in the environment (a test's core), the temp folder.
 */
export function outputRootOf(setting: string | null, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || env.USERPROFILE;
  return expandFolder(setting ?? (home ? path.join(home, 'Switchboard', 'Runs') : path.join(os.tmpdir(), 'switchboard-runs')), env);
}

/**
 * A job's folder under the output root, or one run's inside it (made, 0700): `<job-name>-<id>/<date>-<run>`.
 * It lies outside Switchboard's data folder, so what Claude writes there passes the rules for sending files.
 */
export function runFolder(root: string, job: Pick<Job, 'id' | 'name'>, run?: Pick<JobRun, 'id' | 'startedAt'>): string {
  const jobDir = path.join(root, `${slug(job.name)}-${job.id.slice(0, 8)}`);
  const dir = run ? path.join(jobDir, `${new Date(run.startedAt ?? Date.now()).toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${run.id.slice(0, 8)}`) : jobDir;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The CLI rules that let a job's session write its own output folder without asking (`//` marks an absolute path in Claude Code's rules). */
export function writeRule(folder: string): string[] {
  const abs = `/${path.resolve(folder)}/**`;
  return [`Write(${abs})`, `Edit(${abs})`];
}

/** The regular files a run left in its folder (not in subfolders, no symlinks), by name. */
export function listAttachments(dir: string): RunAttachment[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .slice(0, MAX_ATTACHMENTS)
    .map((e) => ({ name: e.name, size: fs.statSync(path.join(dir, e.name)).size }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The path of one of a run's attachments, or null when the name is not one of them (no `..`, no folder, no symlink). */
export function attachmentPath(run: Pick<JobRun, 'outputDir' | 'attachments'>, name: string): string | null {
  if (!run.outputDir || !run.attachments.some((a) => a.name === name) || name !== path.basename(name)) return null;
  return path.join(run.outputDir, name);
}

const NOTE_START = 'Files you write into ';
const NOTE_END = ' reach the user with your answer, as attachments.';

/** What a session is told of its output folder (in its system prompt): the one sentence a task's folder is also read back from. */
export function attachmentNote(dir: string): string {
  return `${NOTE_START}${dir}${NOTE_END}`;
}

/** The output folder a system prompt told its session about, or null: a task's folder is recorded where Claude reads it. */
export function folderFromNote(systemPrompt: string | null): string | null {
  const start = systemPrompt?.indexOf(NOTE_START) ?? -1;
  if (!systemPrompt || start < 0) return null;
  const end = systemPrompt.indexOf(NOTE_END, start);
  return end < 0 ? null : systemPrompt.slice(start + NOTE_START.length, end);
}

/** A background task's folder under the output root (made, 0700): `tasks/<date>-<title>-<id>`. */
export function taskFolder(root: string, title: string, id: string, at: number): string {
  const dir = path.join(root, 'tasks', `${new Date(at).toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${slug(title)}-${id.slice(0, 8)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
