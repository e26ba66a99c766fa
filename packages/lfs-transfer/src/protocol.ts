// git-lfs's custom transfer protocol (standalone agent), as data: one JSON object per line each way.
// Every incoming message is validated with zod before the agent acts on it.
import * as z from 'zod/mini';

const initMessage = z.object({
  event: z.literal('init'),
  operation: z.enum(['upload', 'download']),
  /** A remote name (`origin`) or, when git-lfs was given one, a URL. */
  remote: z.string(),
  concurrent: z.optional(z.boolean()),
  concurrenttransfers: z.optional(z.number()),
});

const transferMessage = z.object({
  event: z.enum(['upload', 'download']),
  oid: z.string(),
  size: z.number().check(z.int(), z.nonnegative()),
  /** Upload only: the file git-lfs wants stored. */
  path: z.optional(z.string()),
});

export type InitMessage = z.infer<typeof initMessage>;
export type TransferMessage = z.infer<typeof transferMessage>;

export type AgentMessage =
  | { readonly kind: 'init'; readonly message: InitMessage }
  | { readonly kind: 'transfer'; readonly message: TransferMessage }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'invalid'; readonly reason: string; readonly oid?: string };

export function parseMessage(line: string): AgentMessage {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null) return { kind: 'invalid', reason: 'not a JSON object' };
  const { event, oid: rawOid } = data as { event?: unknown; oid?: unknown };
  const oid = typeof rawOid === 'string' ? rawOid : undefined;
  const check = <T>(schema: z.ZodMiniType<T>): T | string => {
    const result = schema.safeParse(data);
    return result.success
      ? result.data
      : `bad ${String(event)} message (${result.error.issues.map((i) => i.path.join('.') || 'message').join(', ')})`;
  };
  if (event === 'init') {
    const r = check(initMessage);
    return typeof r === 'string' ? { kind: 'invalid', reason: r } : { kind: 'init', message: r };
  }
  if (event === 'upload' || event === 'download') {
    const r = check(transferMessage);
    return typeof r === 'string' ? { kind: 'invalid', reason: r, ...(oid ? { oid } : {}) } : { kind: 'transfer', message: r };
  }
  if (event === 'terminate') return { kind: 'terminate' };
  return { kind: 'invalid', reason: `unknown event ${JSON.stringify(event)}`, ...(oid ? { oid } : {}) };
}

/** Error codes git-lfs shows with the message; 2 is a transfer failure, 32 a setup failure. */
export const ERROR_TRANSFER = 2;
export const ERROR_INIT = 32;

export const initOk = (): string => '{}';
export const initError = (message: string): string => JSON.stringify({ error: { code: ERROR_INIT, message } });
export const progress = (oid: string, bytesSoFar: number, bytesSinceLast: number): string =>
  JSON.stringify({ event: 'progress', oid, bytesSoFar, bytesSinceLast });
export const complete = (oid: string, path?: string): string => JSON.stringify({ event: 'complete', oid, ...(path ? { path } : {}) });
export const completeError = (oid: string, message: string, code = ERROR_TRANSFER): string =>
  JSON.stringify({ event: 'complete', oid, error: { code, message } });
