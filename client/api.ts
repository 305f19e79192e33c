import { fail, methodNames, splitMethodName, type Api, type Result } from '../contract';

/** What a transport must do: carry a call and an event subscription. Nothing else differs. */
export interface Transport {
  call(method: string, input: unknown): Promise<Result<unknown>>;
  /** Resolves with the unsubscribe function, or an error (unknown_event) the caller can show. */
  subscribe(event: string, listener: (payload: unknown) => void): Promise<Result<() => void>>;
}

/** Builds the typed Api (one function per contract method, grouped by service) over any transport. */
export function createApi(transport: Transport): Api {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    const [service, method] = splitMethodName(name);
    const group = (api[service] ??= {}) as Record<string, unknown>;
    group[method] = (input: unknown) => transport.call(name, input);
  }
  api.on = (event: string, listener: (payload: unknown) => void) => {
    let unsubscribe: (() => void) | null = null;
    let cancelled = false;
    void transport.subscribe(event, listener).then((result) => {
      if (!result.ok) return console.error(`switchboard: cannot subscribe to ${event}: ${result.error.message}`);
      if (cancelled) result.value();
      else unsubscribe = result.value;
    });
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  };
  return api as Api;
}

/** A Result for a call that never reached the other side. */
export function unreachable(message: string): Result<never> {
  return fail('unavailable', message);
}
