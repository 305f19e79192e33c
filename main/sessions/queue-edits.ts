import type { Turn } from '../../contract';
import { AppError } from '../errors';
import { withPosition, type Runtime } from './session-runtime';
import type { SessionStore } from './session-store';
import type { TurnStream } from './turn-stream';

/** What the queue edits need of the session manager. */
export interface QueueEditParts {
  store: SessionStore;
  runtimes: Map<string, Runtime>;
  stream: TurnStream;
  turn: (turnId: string) => Turn;
  changed: (sessionId: string) => void;
}

/** Messages waiting in a session's queue, changed or taken back before they start (the window's own). */
export class QueueEdits {
  constructor(private readonly parts: QueueEditParts) {}

  /** Changes a message still waiting in the queue. */
  edit(turnId: string, text: string): Turn {
    const { store, runtimes, stream } = this.parts;
    const turn = this.queued(turnId);
    const edited = withPosition(store.editQueued(turn.id, text), runtimes.get(turn.sessionId));
    stream.emitStream(turn.sessionId, turn.id, { kind: 'turn', turn: edited });
    return edited;
  }

  /** Takes back a message still waiting in the queue; the ones behind it move up. */
  remove(turnId: string): { removed: true } {
    const { store, runtimes, stream } = this.parts;
    const turn = this.queued(turnId);
    const rt = runtimes.get(turn.sessionId)!;
    rt.queue.splice(rt.queue.indexOf(turn.id), 1);
    store.deleteQueued(turn.id);
    stream.emitStream(turn.sessionId, turn.id, { kind: 'removed', turnId: turn.id });
    for (const queued of rt.queue) stream.emitStream(rt.sessionId, queued, { kind: 'turn', turn: withPosition(store.turn(queued)!, rt) });
    this.parts.changed(turn.sessionId);
    return { removed: true };
  }

  private queued(turnId: string): Turn {
    const turn = this.parts.turn(turnId);
    const rt = this.parts.runtimes.get(turn.sessionId);
    if (turn.status !== 'queued' || !rt?.queue.includes(turn.id)) throw new AppError('conflict', 'That message has already started (or ended), so it can no longer be changed.');
    return turn;
  }
}
