import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { JobRun } from '../../contract';
import { AppError } from '../errors';
import { isOwner } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import { checkSendable, readSendable, type SendRules } from '../sendable-file';
import { attachmentPath } from './run-output';

/** Where a run's files are downloaded from on the loopback server (the UI token only). */
export const RUN_FILES_PATH = '/files/runs';

function refuse(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(message);
}

/**
 * `GET /files/runs/<run>/<file>`: one of a run's (or a background task's) attachments, as a download. Only a file the run
 * recorded as its attachment, from its own folder, by the rules for files that leave (no symlink into
 * the data folder, a regular file, within the size limit).
 */
export function runFilesRoute(run: (id: string) => Pick<JobRun, 'outputDir' | 'attachments'> | undefined, rules: SendRules): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET');
    const rest = (req.url ?? '').split('?')[0]!.slice(RUN_FILES_PATH.length + 1).split('/');
    let runId: string;
    let name: string;
    try {
      [runId, name] = rest.map(decodeURIComponent) as [string, string];
    } catch {
      return refuse(res, 400, 'Bad request: the path is not valid percent-encoding');
    }
    if (rest.length !== 2 || !runId || !name) return refuse(res, 404, 'Not found: ask for /files/runs/<run>/<file>');
    const found = run(runId);
    const file = found ? attachmentPath(found, name) : null;
    if (!file) return refuse(res, 404, `Not found: the run has no file ${name}`);
    const checked = await checkSendable(file, rules);
    if (!checked.ok) return refuse(res, 403, `Refused: ${checked.reason}`);
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(checked.file.size),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(path.basename(name))}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve) => {
      const stream = fs.createReadStream(checked.file.real);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      stream.on('end', () => resolve());
      stream.pipe(res);
    });
  };
}

/**
 * A run's (or task's) file, whole and base64, for the desktop window: it has no UI token to send the
 * route, so it asks over IPC. The same checks as the route; the owner only (a chat or a session has
 * no business reading files through here).
 */
export function runFileReader(run: (id: string) => Pick<JobRun, 'outputDir' | 'attachments'> | undefined, rules: SendRules) {
  return async (runId: string, name: string, from: CallContext): Promise<{ name: string; size: number; base64: string }> => {
    if (!isOwner(from)) throw new AppError('unauthorized', 'A run’s files are downloaded in the Switchboard window.');
    const found = run(runId);
    const file = found ? attachmentPath(found, name) : null;
    if (!file) throw new AppError('not_found', `the run has no file ${name}`);
    let content: Buffer;
    try {
      content = await readSendable(file, rules);
    } catch (error) {
      throw new AppError('conflict', `${name} cannot be downloaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { name, size: content.length, base64: content.toString('base64') };
  };
}
