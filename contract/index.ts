import type { z } from 'zod';
import type { EventSpec, MethodSpec } from './define';
import type { Result } from './result';
// Side effect first: every schema's errors speak the user's words.
import './messages';
import { approvalsEvents, approvalsMethods } from './approvals';
import { changesEvents, changesMethods } from './changes';
import { chatChannelMethods, chatEvents, chatMethods } from './chat';
import { historyEvents, historyMethods } from './history';
import { mailMethods } from './mail';
import { hooksEvents, hooksMethods } from './hooks';
import { inboxEvents, inboxMethods } from './inbox';
import { pushMethods } from './push';
import { memoryEvents, memoryMethods } from './memory';
import { schedulesEvents, schedulesMethods } from './schedules';
import { sessionsEvents, sessionsMethods } from './sessions';
import { settingsEvents, settingsMethods } from './settings';
import { systemEvents, systemMethods } from './system';
import { tasksEvents, tasksMethods } from './tasks';
import { terminalsEvents, terminalsMethods } from './terminals';
import { usageEvents, usageMethods } from './usage';
import { userEvents, userMethods } from './user';

export * from './approvals';
export * from './changes';
export * from './chat';
export * from './history';
export * from './mail';
export * from './hooks';
export * from './inbox';
export * from './push';
export * from './memory';
export * from './schedules';
export * from './result';
export * from './sessions';
export * from './settings';
export * from './system';
export * from './tasks';
export * from './terminals';
export * from './usage';
export * from './user';
export * from './wire';
export type { EventSpec, MethodSpec } from './define';

/** Every method of every service, by its dotted name (`service.method`). */
export const methods = { ...systemMethods, ...settingsMethods, ...sessionsMethods, ...changesMethods, ...approvalsMethods, ...terminalsMethods, ...historyMethods, ...memoryMethods, ...schedulesMethods, ...chatMethods, ...chatChannelMethods, ...userMethods, ...hooksMethods, ...usageMethods, ...mailMethods, ...tasksMethods, ...inboxMethods, ...pushMethods };
/** Every event the core emits, by its dotted name. */
export const events = { ...systemEvents, ...settingsEvents, ...sessionsEvents, ...changesEvents, ...approvalsEvents, ...terminalsEvents, ...historyEvents, ...memoryEvents, ...schedulesEvents, ...chatEvents, ...userEvents, ...hooksEvents, ...usageEvents, ...inboxEvents, ...tasksEvents };

type Methods = typeof methods;
type Events = typeof events;

export type MethodName = keyof Methods;
export type EventName = keyof Events;
/** What a client sends. */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives after validation (defaults applied). */
export type MethodParams<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Methods[M] extends MethodSpec<z.ZodType, infer O> ? O : never;
export type EventPayload<E extends EventName> = Events[E] extends EventSpec<infer P> ? P : never;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

type ServiceName = MethodName extends `${infer S}.${string}` ? S : never;
type MethodsOf<S extends string> = Extract<MethodName, `${S}.${string}`>;
type ShortName<M extends string, S extends string> = M extends `${S}.${infer N}` ? N : never;

/**
 * What the renderer calls: one typed function per method, grouped by service, e.g.
 * `api.settings.set({ key, value })`. The same shape over IPC and over the WebSocket.
 */
export type Api = {
  [S in ServiceName]: {
    [M in MethodsOf<S> as ShortName<M, S>]: (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
  };
} & {
  /** Subscribe to one event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Splits `service.method` into its parts (the renderer and preload nest methods by service). */
export function splitMethodName(name: MethodName): [service: string, method: string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}
