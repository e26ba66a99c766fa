// Key of an LFS object (DESIGN §6); the oid is checked so a key can never leave `<prefix>/lfs/`.
import { BadKeyError } from '../errors.js';
import { isLfsOid } from './refname.js';

export function lfsKey(prefix: string, oid: string): string {
  if (!isLfsOid(oid)) throw new BadKeyError(oid, 'an LFS oid must be 64 lowercase hex characters');
  return `${prefix}/lfs/${oid}`;
}
