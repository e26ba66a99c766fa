// Key scheme and JSON format of the push log (DESIGN §13, docs/push-log.md): one immutable entry per push
// under `<prefix>/logs/`, named so that keys sort by time. Pure; everything read back is validated here.
import { BadKeyError, CorruptObjectError } from '../errors.js';
import { isObjectId, isValidRefName } from './refname.js';

/** The format this tool writes; entries of a newer version are refused, not guessed at. */
export const PUSH_LOG_VERSION = 1;
/** `restore` is the kind `git s3 restore` will write (issue #13 §3); only `push` is written today. */
export const PUSH_LOG_KINDS = ['push', 'restore'] as const;
export type PushLogKind = (typeof PUSH_LOG_KINDS)[number];

/** Beside both layouts' keys (`refs/`, `info/`, `objects/`, `HEAD`, `packed-refs`, `lfs/`): neither lists it. */
export const pushLogPrefix = (prefix: string): string => `${prefix}/logs/`;

export interface LoggedRefUpdate {
  readonly ref: string;
  /** null: the ref did not exist before. */
  readonly old: string | null;
  /** null: the push deleted the ref. */
  readonly new: string | null;
  readonly forced: boolean;
  readonly deleted: boolean;
}

export interface PushLogEntry {
  readonly version: number;
  readonly kind: PushLogKind;
  /** ISO 8601 UTC, the pusher's clock. */
  readonly time: string;
  readonly pusher: { readonly name: string; readonly email: string };
  /** `git-remote-s3/<version>`. */
  readonly tool: string;
  readonly updates: readonly LoggedRefUpdate[];
}

// `20261130T063108.123Z-<8 hex>.json`: fixed width, so the lexical order of keys is their time order.
const KEY_NAME = /^(\d{8}T\d{6}\.\d{3}Z)-([0-9a-f]{8})\.json$/;

/** The key of an entry written at `time`; `random` (8 hex digits) keeps two pushes in one millisecond apart. */
export function pushLogKey(prefix: string, time: Date, random: string): string {
  const stamp = time.toISOString().replace(/[-:]/g, '');
  const name = `${stamp}-${random}.json`;
  if (!KEY_NAME.test(name)) throw new BadKeyError(name, 'a push log entry is named <yyyymmddThhmmss.sssZ>-<8 hex>.json');
  return `${pushLogPrefix(prefix)}${name}`;
}

/** Whether a key listed under `pushLogPrefix` is an entry of ours (anything else there is ignored). */
export function isPushLogKey(prefix: string, key: string): boolean {
  const start = pushLogPrefix(prefix);
  return key.startsWith(start) && KEY_NAME.test(key.slice(start.length));
}

export function formatPushLogEntry(entry: PushLogEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

// Text shown on a terminal: no control characters, and no angle brackets that would fake the `<email>` part.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f<>]/;

/** The entry stored at `key`, every field checked (ref names by git's rules, ids as hex); a bad one is corrupt. */
export function parsePushLogEntry(text: string, key: string): PushLogEntry {
  const bad = (what: string) =>
    new CorruptObjectError(key, `not a push log entry (${what})`, 'delete it; the push log is a record, the refs are unaffected');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(raw)) throw bad('not a JSON object');
  const { version, kind, time, pusher, tool, updates } = raw;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw bad('no format version');
  if (version > PUSH_LOG_VERSION) throw bad(`format version ${version} is newer than this tool reads; upgrade git-remote-s3`);
  if (typeof kind !== 'string' || !(PUSH_LOG_KINDS as readonly string[]).includes(kind)) throw bad('unknown kind');
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) throw bad('no time');
  if (!isRecord(pusher) || !isSafeText(pusher.name) || !isSafeText(pusher.email)) throw bad('no pusher');
  if (!isSafeText(tool)) throw bad('no tool');
  if (!Array.isArray(updates) || updates.length === 0) throw bad('no ref updates');
  return {
    version,
    kind: kind as PushLogKind,
    time: new Date(time).toISOString(),
    pusher: { name: pusher.name, email: pusher.email },
    tool,
    updates: updates.map((u: unknown) => parseUpdate(u, bad)),
  };
}

function parseUpdate(u: unknown, bad: (what: string) => Error): LoggedRefUpdate {
  if (!isRecord(u)) throw bad('a ref update is not an object');
  const { ref, old, forced, deleted } = u;
  const next = u.new;
  if (typeof ref !== 'string' || !isValidRefName(ref)) throw bad('a ref name git would refuse');
  const id = (v: unknown) => v === null || (typeof v === 'string' && isObjectId(v));
  if (!id(old) || !id(next)) throw bad(`an id of ${ref} is not hex`);
  if (typeof forced !== 'boolean' || typeof deleted !== 'boolean' || deleted !== (next === null)) throw bad(`flags of ${ref}`);
  return { ref, old: old as string | null, new: next as string | null, forced, deleted };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSafeText(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 256 && !UNSAFE_TEXT.test(v);
}
