import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import type { InboxCounts, InboxItem, InboxPage, JobRun, SessionInbox } from '../../contract';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import { InboxStore, type ListFilter, type NewItem } from './inbox-store';
import { approvalItem, approvalOutcome, noteItem, runItem, stopItem, turnItem, type Lookups } from './sources';

/**
 * One list of what waits for or informs the user, from every source: the broker's questions (mirrored, never
 * answered here: the broker stays the one place a question is answered), terminals stopped in their reply
 * window, notes, long turns, job results and failures, usage alerts and holds. It listens to the events the
 * services already emit; the composition root hands it the few lookups it needs. Kept in SQLite.
 */
export class InboxService implements Service {
  readonly name = 'inbox';
  private readonly store: InboxStore;
  private readonly offs: (() => void)[] = [];
  private readonly added = new Set<(item: InboxItem) => void>();

  constructor(
    private readonly deps: {
      storage: StorageService;
      events: EventBus;
      settings: SettingsService;
      lookups: Lookups;
      now?: () => number;
    },
  ) {
    this.store = new InboxStore(() => deps.storage.db);
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  start(): void {
    this.reconcile();
    const { events, settings, lookups } = this.deps;
    this.offs.push(
      events.on('approvals.changed', (approval) => {
        const key = `approval:${approval.id}`;
        if (approval.status === 'pending') this.record(approvalItem(approval));
        else this.settle(key, approvalOutcome(approval));
      }),
      events.on('hooks.stopped', (stop) => {
        const item = stopItem(stop, lookups);
        if (item) this.record(item);
      }),
      events.on('hooks.stopEnded', ({ id, replied }) => this.settle(`stop:${id}`, replied ? 'Continued with your reply.' : 'Its reply window passed.')),
      events.on('user.note', (note) => {
        const made = noteItem(note, lookups);
        if (made) this.record(made);
      }),
      events.on('sessions.stream', ({ item }) => {
        if (item.kind !== 'turn') return;
        const made = turnItem(item.turn, settings.get('sessions.notifyAfterSeconds') * 1000, lookups);
        if (made) this.record(made);
      }),
      events.on('schedules.run', (run) => {
        // A held job runs again once the window reset: its hold is over.
        if (run.status === 'running' && run.trigger === 'catch-up') for (const held of this.store.openOf('usage_hold', { jobId: run.jobId })) this.settleItem(held, 'Released: the window reset.');
        this.recordRun(run);
      }),
      // A deleted session's items go with it: their words are its (the inbox tool would read them back over MCP).
      events.on('sessions.removed', ({ id }) => {
        if (this.store.forgetSession(id)) this.deps.events.emit('inbox.changed', { item: null, counts: this.store.counts() });
      }),
    );
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /**
   * What changed while Switchboard was down: questions its broker ended at start (their processes are gone)
   * and stops whose terminal no longer waits on this process are settled, so nothing open is a ghost.
   */
  private reconcile(): void {
    for (const item of this.store.openOfKinds(['question', 'job_approval', 'stop'])) {
      if (item.kind === 'stop') {
        this.settleItem(item, 'Switchboard restarted, so this session no longer waits for a reply.');
        continue;
      }
      const approval = item.ref ? this.deps.lookups.approval(item.ref) : null;
      if (!approval) this.settleItem(item, 'No longer known.');
      else if (approval.status !== 'pending') this.settleItem(item, approvalOutcome(approval));
    }
  }

  /** Called with every item added (not with updates): Web Push takes the ones that need the user. */
  onAdded(listener: (item: InboxItem) => void): () => void {
    this.added.add(listener);
    return () => this.added.delete(listener);
  }

  /** Adds an item, or updates the one its source made before (same key). */
  record(item: NewItem): InboxItem {
    const { item: stored, added } = this.store.upsert(item, this.now());
    this.changed(stored);
    if (added) for (const listener of this.added) listener(stored);
    return stored;
  }

  /** A job's run: its result or failure joins the job's one item of that kind, counting the runs since the user last looked. */
  private recordRun(run: JobRun): void {
    const { lookups } = this.deps;
    const made = runItem(run, lookups, (failed) => {
      const before = this.store.byKey(`job:${run.jobId}:${failed ? 'failed' : 'done'}`);
      if (!before || before.state !== 'open' || before.read || !before.ref) return 1;
      return lookups.runsEndedSince(run.jobId, before.ref, failed);
    });
    if (!made) return;
    if (!made.repeat) {
      this.record(made);
      return;
    }
    const before = this.store.byKey(made.key);
    // The same run told again (its after-run steps): the item it made is left as the user last saw it.
    if (before?.link === made.link) return;
    // The first run since the user last looked stays the one the count starts from.
    const { item, added, replaced } = this.store.repeat(before?.state === 'open' && !before.read ? { ...made, ref: before.ref } : made, this.now());
    // Moved to the top under a new id: lists read again, so the old row leaves them.
    if (replaced !== null) this.deps.events.emit('inbox.changed', { item: null, counts: this.store.counts() });
    else this.changed(item);
    if (added) for (const listener of this.added) listener(item);
  }

  /** The source says it is over (answered, continued, timed out): the same row changes, everywhere at once. By key, or by id. */
  settle(target: string | number, outcome: string): void {
    const item = this.store.settle(target, outcome, this.now());
    if (item) this.changed(item);
  }

  private settleItem(item: InboxItem, outcome: string): void {
    this.settle(item.id, outcome);
  }

  /** A terminal's question, tied to its session once known (the session shows *needs you*). */
  linkSession(key: string, sessionId: string): void {
    const item = this.store.setSession(key, sessionId);
    if (item) this.changed(item);
  }

  byKey(key: string): InboxItem | null {
    return this.store.byKey(key);
  }

  counts(): InboxCounts {
    return this.store.counts();
  }

  list(input: { filter: ListFilter; limit: number; before?: number; sessionId?: string }): InboxPage {
    const page = this.store.list(input.filter, input.limit, input.before, input.sessionId);
    return { ...page, counts: this.store.counts() };
  }

  markRead(target: { ids?: number[]; sessionId?: string; all?: boolean }): { changed: number } {
    const { changed, items } = this.store.markRead(target, this.now());
    if (items === null) {
      if (changed) this.deps.events.emit('inbox.changed', { item: null, counts: this.store.counts() });
    } else {
      for (const item of items) this.changed(item);
    }
    return { changed };
  }

  dismiss(id: number): InboxItem {
    const item = this.store.dismiss(id, this.now());
    if (!item) throw new AppError('not_found', `There is no inbox item ${id}.`);
    this.changed(item);
    return item;
  }

  sessions(): Record<string, SessionInbox> {
    return this.store.openBySession();
  }

  private changed(item: InboxItem): void {
    this.deps.events.emit('inbox.changed', { item, counts: this.store.counts() });
  }
}
