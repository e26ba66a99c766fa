// Read-modify-write of one small text object without a lock: read it with its ETag, change it, write it
// back on the condition that nobody replaced it meanwhile, and on a refusal read again and retry.
import { PreconditionFailedError } from './errors.js';
import type { ObjectStore } from './store.js';

/** Writes tried before giving up, each after a fresh read (the loops of every small shared object). */
export const CONDITIONAL_ATTEMPTS = 6;

/**
 * Milliseconds to wait after the failed write number `attempt` (0-based): 50 ms doubling each time, plus up to
 * 100 ms of jitter so that writers who collided once do not collide again in step.
 */
function backOffMs(attempt: number): number {
  return 50 * 2 ** attempt + Math.random() * 100;
}

/** Waits `backOffMs(attempt)`. */
export function backOff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, backOffMs(attempt)));
}

export interface ConditionalUpdateOptions {
  /** Writes tried, each after a fresh read, before the last refusal is thrown; at least 1 (default CONDITIONAL_ATTEMPTS). */
  readonly attempts?: number;
  /** Milliseconds to wait after the failed write number `attempt` (0-based) before reading again (default backOffMs). */
  readonly backOffMs?: (attempt: number) => number;
  readonly contentType?: string;
}

/**
 * Replaces the text at `key` with `change(text read)`: If-Match on the ETag read, or If-None-Match: * when there
 * was no object (`change` then gets undefined), so a rival's write between the read and the write is never
 * overwritten; `change` runs again on the text read afresh. `change` returns the new text, or undefined to leave
 * the object as it is (nothing is written). Returns the ETag written, or undefined when `change` left it.
 *
 * Throws the last PreconditionFailedError when every attempt met a rival's write; whatever `change` throws, at
 * once (it is not retried); and the store's errors, among them NotFoundError when the object read was deleted
 * before the write that was conditional on it.
 */
export function conditionalUpdate(
  store: Pick<ObjectStore, 'getText' | 'put'>,
  key: string,
  change: (text: string | undefined) => string,
  options?: ConditionalUpdateOptions,
): Promise<{ readonly etag: string }>;
export function conditionalUpdate(
  store: Pick<ObjectStore, 'getText' | 'put'>,
  key: string,
  change: (text: string | undefined) => string | undefined,
  options?: ConditionalUpdateOptions,
): Promise<{ readonly etag: string } | undefined>;
export async function conditionalUpdate(
  store: Pick<ObjectStore, 'getText' | 'put'>,
  key: string,
  change: (text: string | undefined) => string | undefined,
  options: ConditionalUpdateOptions = {},
): Promise<{ readonly etag: string } | undefined> {
  const attempts = Math.max(1, options.attempts ?? CONDITIONAL_ATTEMPTS);
  const wait = options.backOffMs ?? backOffMs;
  for (let attempt = 0; ; attempt++) {
    const current = await store.getText(key);
    const next = change(current?.text);
    if (next === undefined) return undefined;
    try {
      return await store.put(key, next, {
        ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }),
        ...(options.contentType ? { contentType: options.contentType } : {}),
      });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError) || attempt + 1 >= attempts) throw error;
      const ms = wait(attempt);
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}
