// Loose refs of the packs layout: `<prefix>/refs/<…>` keys holding `<id>\n`, as git and JGit keep refs in a
// bare repository (JGit writes one for every ref it pushes, and readers let it override packed-refs). Tells
// the keys listed under refs/ apart and reads their content; pure, nothing from the bucket reaches git unchecked.
import { printable } from '../errors.js';
import { parseBundleLayoutKey } from './bundle.js';
import { assertValidRefName, isObjectId, refNameProblem } from './refname.js';

export const looseRefKey = (prefix: string, ref: string): string => `${prefix}/${assertValidRefName(ref)}`;

/** More than any `<64 hex>\n` or `ref: <name>\n` needs: a key this large under refs/ holds no ref. */
const LOOSE_REF_MAX_BYTES = 1024;

export type RefsDirKey =
  | { readonly kind: 'loose'; readonly ref: string; readonly key: string }
  /** A bundle, ref lock, PROTECTED# marker or repo.zip of the bundle layout. */
  | { readonly kind: 'bundle-layout'; readonly key: string }
  | { readonly kind: 'invalid'; readonly key: string; readonly reason: string };

/** What a key listed under `<prefix>/refs/` is, from its name and size. */
export function classifyRefsKey(prefix: string, key: string, size: number): RefsDirKey {
  if (parseBundleLayoutKey(prefix, key).kind !== 'invalid') return { kind: 'bundle-layout', key };
  const name = key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : key;
  const problem = refNameProblem(name);
  if (problem) return { kind: 'invalid', key, reason: `'${printable(name)}' ${problem}` };
  if (size > LOOSE_REF_MAX_BYTES) return { kind: 'invalid', key, reason: `${size} bytes, too large for a ref` };
  return { kind: 'loose', ref: name, key };
}

/** The loose refs among listed keys (everything else under refs/ left out). */
export function looseRefsOf(
  prefix: string,
  objects: readonly { readonly key: string; readonly size: number }[],
): { ref: string; key: string }[] {
  return objects.flatMap((o) => {
    const k = classifyRefsKey(prefix, o.key, o.size);
    return k.kind === 'loose' ? [{ ref: k.ref, key: k.key }] : [];
  });
}

/** The object id a loose ref holds (`<id>`, then optional whitespace, as git reads it), or undefined. */
export function parseLooseRef(text: string): string | undefined {
  const m = /^([0-9a-f]+)\s*$/.exec(text);
  return m?.[1] && isObjectId(m[1]) ? m[1] : undefined;
}

export const formatLooseRef = (sha: string): string => `${sha}\n`;
