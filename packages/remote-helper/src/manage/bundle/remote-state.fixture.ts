// Remote states for the unit tests of list and diagnose: objects listed under `repo/refs/` at known ages.
import type { ObjectInfo } from '@git-remote-s3/core';
import { buildRefTable } from '../../layouts/bundle/ref-table.js';
import type { RemoteState } from './remote-state.js';

/** The server's clock in every fixture. */
export const NOW = new Date('2024-05-01T12:00:00Z');
export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);

export const listed = (key: string, secondsAgo: number, size = 100): ObjectInfo => ({
  key,
  size,
  etag: '"e"',
  lastModified: new Date(NOW.getTime() - secondsAgo * 1000),
});

/** `head` null: the remote has no HEAD object. */
export const remoteState = (objects: readonly ObjectInfo[], head: string | null): RemoteState => ({
  table: buildRefTable('repo', objects, NOW),
  head: head ?? undefined,
});
