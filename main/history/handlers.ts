import type { HandlersOf } from '../ipc/router';
import type { HistoryService } from './history-service';
import type { TranscriptImporter } from './transcript-importer';

export function historyHandlers(history: HistoryService, transcripts: TranscriptImporter): HandlersOf<'history'> {
  return {
    'history.search': ({ query, filters, limit }) => history.search(query, filters, limit),
    'history.conversations': () => history.conversations(),
    'history.messages': ({ sessionId, after, limit }) => history.messages(sessionId, { after, limit }),
    'history.import': () => transcripts.importAll(),
    'history.importStatus': () => transcripts.status(),
  };
}
