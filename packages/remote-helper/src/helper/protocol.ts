// git's remote-helper protocol as data (gitremote-helpers(7)): reads command lines into typed commands and
// formats replies. Pure: the session decides what to do, this only speaks the wire format, and is the one
// place a push refusal (data, from the layouts) becomes git's words.
import { isValidRefName } from '@git-remote-s3/core/keys/refname';
import type { ListedRef, PushResult, Refusal } from '../layouts/layout.js';

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

/** `ok <ref>` or `error <ref> <why>`, the why in git's words (`refusalText`). */
export function formatPushResult(result: PushResult): string {
  if (result.ok) return result.note ? `ok ${result.ref} ${result.note}` : `ok ${result.ref}`;
  return `error ${result.ref} ${refusalText(result.ref, result)}`;
}

/**
 * A refusal of `ref` as the helper says it: git's own statuses bare, in the words transport-helper.c reads
 * (git then prints its usual hint); anything else C-quoted, so git shows it verbatim as "remote rejected".
 */
function refusalText(ref: string, refusal: Refusal): string {
  switch (refusal.reason) {
    case 'non-fast-forward':
      return 'non-fast forward';
    case 'fetch-first':
      return 'fetch first';
    case 'stale-info':
      return 'stale info';
    case 'already-exists':
      return 'already exists';
    case 'needs-force':
      return 'needs force';
    case 'atomic-push-failed':
      return quote('atomic push failed');
    case 'no-such-ref':
      return quote('remote ref does not exist');
    case 'invalid-ref-name':
      return quote(`'${ref}' is not a valid ref name`);
    case 'not-pushed':
      return quote('not pushed');
    default:
      return quote(refusal.message);
  }
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
