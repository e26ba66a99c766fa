// Validates ref names and object ids read from the bucket with git's own rules (git check-ref-format),
// so nothing untrusted reaches git or the file system.
import { BadRefError } from '../errors.js';

const SHA1 = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Why `ref` is not a valid full ref name (`refs/...`), or undefined when it is. */
export function refNameProblem(ref: string): string | undefined {
  if (ref === '') return 'empty';
  if (!ref.startsWith('refs/')) return "does not start with 'refs/'";
  if (ref === '@') return "is '@'";
  if (ref.endsWith('/')) return "ends with '/'";
  if (ref.endsWith('.')) return "ends with '.'";
  if (ref.includes('..')) return "contains '..'";
  if (ref.includes('@{')) return "contains '@{'";
  if (ref.includes('\\')) return 'contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: git rejects control characters in ref names
  if (/[\u0000-\u0020\u007f~^:?*[]/.test(ref)) return 'contains a space, a control character or one of ~ ^ : ? * [';
  for (const component of ref.split('/')) {
    if (component === '') return "contains '//'";
    if (component.startsWith('.')) return "has a component starting with '.'";
    if (component.endsWith('.lock')) return "has a component ending with '.lock'";
  }
  return undefined;
}

export function isValidRefName(ref: string): boolean {
  return refNameProblem(ref) === undefined;
}

export function assertValidRefName(ref: string): string {
  const problem = refNameProblem(ref);
  if (problem) throw new BadRefError(ref, problem);
  return ref;
}

/** A full object id: 40 lowercase hex (SHA-1) or 64 (SHA-256). */
export function isObjectId(text: string): boolean {
  return SHA1.test(text) || SHA256.test(text);
}

/** An LFS oid: always SHA-256, 64 lowercase hex. */
export function isLfsOid(text: string): boolean {
  return SHA256.test(text);
}
