// `list` on a bundle-layout remote: its refs as an aligned table (short sha, ref, bundle size, age of the newest bundle,
// protection, lock state) under a line naming what HEAD points to. Pure: the state is read elsewhere.
import { formatAge, formatBytes, judgeLock, printable } from '@git-remote-s3/core';
import type { RefEntry } from '../../layouts/bundle/ref-table.js';
import { formatColumns } from '../columns.js';
import type { RemoteState } from './remote-state.js';

const SHORT_SHA = 7;

export function formatRefList(state: RemoteState, ttlMs: number, display: string): string[] {
  const { refs, serverTime } = state.table;
  if (refs.size === 0 && state.head === undefined) return [`no refs on ${display}`];
  const entries = [...refs.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1));
  const rows = entries.map((entry) => refRow(entry, ttlMs, serverTime));
  return [headLine(state), ...formatColumns(rows)];
}

function headLine({ head, table }: RemoteState): string {
  if (head === undefined) return 'HEAD: missing';
  const exists = (table.refs.get(head)?.bundles.length ?? 0) > 0;
  return exists ? `HEAD: ${printable(head)}` : `HEAD: ${printable(head)}, which does not exist`;
}

function refRow(entry: RefEntry, ttlMs: number, serverTime: Date): string[] {
  const newest = entry.bundles[0];
  const notes = [
    ...(entry.protected ? ['protected'] : []),
    ...(entry.bundles.length > 1 ? [`${entry.bundles.length} bundles`] : []),
    ...(entry.lock ? [lockNote(entry.lock.lastModified, serverTime, ttlMs)] : []),
  ];
  if (!newest) return ['-', entry.ref, '-', '-', notes.join(', ')];
  const age = formatAge(serverTime.getTime() - newest.lastModified.getTime());
  return [newest.sha.slice(0, SHORT_SHA), entry.ref, formatBytes(newest.size), `${age} ago`, notes.join(', ')];
}

/** `locked 12s` while a push holds the lock, `stale lock 3m04s` once it is older than the TTL. */
export function lockNote(lastModified: Date, serverTime: Date, ttlMs: number): string {
  const state = judgeLock(lastModified, serverTime, ttlMs);
  return `${state.stale ? 'stale lock' : 'locked'} ${formatAge(state.ageMs)}`;
}
