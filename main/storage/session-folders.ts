import path from 'node:path';

/** Sessions started without a project folder each get their own under the data folder: `<data>/sessions/<id>`. */
export function ownSessionFolders(dataDir: string): string {
  return path.join(dataDir, 'sessions');
}

/** Whether a session's folder is one of those rather than a project of the user's. */
export function isOwnSessionFolder(dataDir: string, folder: string): boolean {
  return folder.startsWith(ownSessionFolders(dataDir) + path.sep);
}
