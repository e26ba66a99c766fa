// git's remote-helper protocol as data (gitremote-helpers(7)): reads command lines into typed commands and
// formats replies. Pure: the session decides what to do, this only speaks the wire format.
import { isValidRefName } from '@git-remote-s3/core/keys/refname';

export type HelperCommand =
  | { readonly kind: 'capabilities' }
  | { readonly kind: 'list'; readonly forPush: boolean }
  | { readonly kind: 'option'; readonly name: string; readonly value: string }
  | { readonly kind: 'fetch'; readonly sha: string; readonly name: string }
  | { readonly kind: 'push'; readonly src: string; readonly dst: string; readonly force: boolean }
  | { readonly kind: 'end' }
  | { readonly kind: 'unknown'; readonly line: string };

export function parseCommand(line: string): HelperCommand {
  if (line === '') return { kind: 'end' };
  if (line === 'capabilities') return { kind: 'capabilities' };
  if (line === 'list') return { kind: 'list', forPush: false };
  if (line === 'list for-push') return { kind: 'list', forPush: true };
  const space = line.indexOf(' ');
  const verb = space === -1 ? line : line.slice(0, space);
  const rest = space === -1 ? '' : line.slice(space + 1);
  if (verb === 'option') {
    const sep = rest.indexOf(' ');
    return sep === -1
      ? { kind: 'option', name: rest, value: '' }
      : { kind: 'option', name: rest.slice(0, sep), value: rest.slice(sep + 1) };
  }
  if (verb === 'fetch') {
    const sep = rest.indexOf(' ');
    if (sep > 0) return { kind: 'fetch', sha: rest.slice(0, sep), name: rest.slice(sep + 1) };
  }
  if (verb === 'push') {
    const force = rest.startsWith('+');
    const spec = force ? rest.slice(1) : rest;
    const colon = spec.lastIndexOf(':');
    if (colon >= 0) return { kind: 'push', src: spec.slice(0, colon), dst: spec.slice(colon + 1), force };
  }
  return { kind: 'unknown', line };
}

/** Why git rejected or we refused a ref; the first five are the words git turns into its usual hints. */
export type PushRejection = 'non-fast forward' | 'fetch first' | 'stale info' | 'already exists' | 'needs force';

export type PushResult =
  | { readonly ref: string; readonly ok: true; readonly note?: 'up to date' | 'forced update' }
  | { readonly ref: string; readonly ok: false; readonly reason: string };

/** `ok <ref>` or `error <ref> <reason>`; a free-text reason is C-quoted so git shows it verbatim. */
export function formatPushResult(result: PushResult): string {
  if (result.ok) return result.note ? `ok ${result.ref} ${result.note}` : `ok ${result.ref}`;
  const known: readonly string[] = ['non-fast forward', 'fetch first', 'stale info', 'already exists', 'needs force'];
  return `error ${result.ref} ${known.includes(result.reason) ? result.reason : quote(result.reason)}`;
}

/** git's C-style quoting (quote_c_style): what unquote_c_style in transport-helper.c reads back. */
export function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\u007f') out += `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export interface ListedRef {
  readonly sha: string;
  readonly ref: string;
}

/** What a `list` reply carries besides the refs. */
export interface ListReplyOptions {
  /** The ref the remote's HEAD names, if any. */
  readonly head: string | undefined;
  readonly objectFormat: 'sha1' | 'sha256' | undefined;
  /** `list for-push`: git then takes every line for a ref it may update or delete. */
  readonly forPush: boolean;
}

/**
 * The reply to `list`: an optional `:object-format`, the symref line for HEAD, then one line per ref, then
 * the blank line. Only refs with a valid name are offered. `list for-push` offers exactly what a push may
 * update or delete, so no HEAD: git takes a `@<ref> HEAD` line for a ref named HEAD, and `push --mirror`
 * then deletes it. A plain `list` names HEAD only when its target is listed too, as git requires.
 */
export function formatList(refs: readonly ListedRef[], { head, objectFormat, forPush }: ListReplyOptions): string {
  const offered = refs.filter((r) => isValidRefName(r.ref));
  const lines: string[] = [];
  if (objectFormat) lines.push(`:object-format ${objectFormat}`);
  const headTarget = head && !forPush ? offered.find((r) => r.ref === head) : undefined;
  if (headTarget) lines.push(`@${headTarget.ref} HEAD`);
  for (const r of offered) lines.push(`${r.sha} ${r.ref}`);
  return `${lines.map((l) => `${l}\n`).join('')}\n`;
}
