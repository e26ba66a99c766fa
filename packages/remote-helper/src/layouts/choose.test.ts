import { UnknownLayoutError } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { memoryRemote as remoteOn } from '@git-remote-s3/core/test-support/memory-remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { describe, expect, it } from 'vitest';
import { detectLayout, layoutForNewRemote, layoutOfRemote } from './choose.js';

const NAMES = { remote: 's3://b/repo', headUrl: 's3://b/repo/HEAD' };

describe('layoutForNewRemote', () => {
  it.each([
    ['s3', undefined, 'bundle'],
    ['s3', 'packs', 'packs'],
    ['s3', 'bundle', 'bundle'],
    ['amazon-s3', undefined, 'packs'],
    ['amazon-s3', 'bundle', 'packs'],
    ['s3+zip', 'packs', 'bundle'],
  ] as const)('%s:// with s3.layout %s creates %s', (scheme, configured, expected) => {
    expect(layoutForNewRemote(scheme, configured)).toBe(expected);
  });
});

function memoryRemote(url: string): { remote: Remote; store: MemoryStore } {
  const store = new MemoryStore();
  return { store, remote: remoteOn(store, url) };
}

describe('detectLayout', () => {
  const URLS = ['s3://memory/repo', 'amazon-s3://memory/repo'];

  it.each(URLS)('%s: a HEAD of neither form is refused, not read as an empty bundle remote', async (url) => {
    const { remote, store } = memoryRemote(url);
    store.plant('repo/HEAD', Buffer.from([0x2b, 0x8b, 0x59, 0xcb, 0x07, 0x7b, 0x24, 0x5c]));
    store.plant('repo/info/refs', Buffer.from([0x11, 0xae, 0x58]));
    await expect(detectLayout(remote)).rejects.toBeInstanceOf(UnknownLayoutError);
    await expect(detectLayout(remote)).rejects.toThrow(`cannot tell the layout of ${url}: s3://memory/repo/HEAD holds '`);
  });

  it('refuses such a HEAD even beside bundles under refs/', async () => {
    const { remote, store } = memoryRemote('s3://memory/repo');
    store.plant('repo/HEAD', 'main\n');
    store.plant(`repo/refs/heads/main/${'a'.repeat(40)}.bundle`, 'bundle');
    await expect(detectLayout(remote)).rejects.toBeInstanceOf(UnknownLayoutError);
  });

  it.each([
    ['s3://memory/repo', 'ref: refs/heads/main\n', 'packs'],
    ['amazon-s3://memory/repo', 'ref: refs/heads/main\n', 'packs'],
    ['s3://memory/repo', 'refs/heads/main', 'bundle'],
    ['amazon-s3://memory/repo', 'refs/heads/main\n', 'bundle'],
  ] as const)('%s with HEAD %j is the %s layout', async (url, head, layout) => {
    const { remote, store } = memoryRemote(url);
    store.plant('repo/HEAD', head);
    expect((await detectLayout(remote)).found).toBe(layout);
  });

  it('takes a lone stale lock under refs/ with no HEAD for a bundle remote, for every command alike', async () => {
    const { remote, store } = memoryRemote('s3://memory/repo');
    store.plant('repo/refs/heads/main/LOCK#.lock', '');
    expect((await detectLayout(remote)).found).toBe('bundle');
  });

  it.each([
    ['s3://memory/repo', 'bundle'],
    ['amazon-s3://memory/repo', 'packs'],
  ] as const)('%s without HEAD but with keys under both refs/ and info/ is the %s layout it expects', async (url, layout) => {
    const { remote, store } = memoryRemote(url);
    store.plant(`repo/refs/heads/main/${'a'.repeat(40)}.bundle`, 'bundle');
    store.plant('repo/info/refs', `${'a'.repeat(40)}\trefs/heads/main\n`);
    expect((await detectLayout(remote)).found).toBe(layout);
  });

  it('hands back the HEAD it read, with its ETag, and the refs listing when it read one', async () => {
    const { remote, store } = memoryRemote('s3://memory/repo');
    store.plant('repo/HEAD', 'refs/heads/main');
    const opened = await detectLayout(remote);
    expect(opened.head?.text).toBe('refs/heads/main');
    expect(opened.head?.etag).toBeTruthy();
    expect(opened.refs?.objects).toEqual([]);
  });

  it('finds nothing on an empty remote', async () => {
    const { remote } = memoryRemote('s3://memory/repo');
    expect((await detectLayout(remote)).found).toBeUndefined();
  });
});

describe('layoutOfRemote', () => {
  it('believes HEAD over any keys beside it: the switch is the last write of a migration', () => {
    expect(layoutOfRemote({ headText: 'ref: refs/heads/main\n', hasBundles: true, hasRefTable: true }, NAMES)).toBe('packs');
    expect(layoutOfRemote({ headText: 'refs/heads/main', hasBundles: false, hasRefTable: true }, NAMES)).toBe('bundle');
  });

  it('without HEAD, goes by bundles first, then by a ref table', () => {
    expect(layoutOfRemote({ headText: undefined, hasBundles: true, hasRefTable: true }, NAMES)).toBe('bundle');
    expect(layoutOfRemote({ headText: undefined, hasBundles: false, hasRefTable: true }, NAMES)).toBe('packs');
  });

  it('finds no layout on an empty remote', () => {
    expect(layoutOfRemote({ headText: undefined, hasBundles: false, hasRefTable: false }, NAMES)).toBeUndefined();
  });

  it('refuses a HEAD of neither form, whatever keys lie beside it, instead of migrating it as a bundle remote', () => {
    for (const hasBundles of [true, false]) {
      expect(() => layoutOfRemote({ headText: '\u00ab\u0059garbled', hasBundles, hasRefTable: true }, NAMES)).toThrow(UnknownLayoutError);
    }
  });

  it('with keys of both layouts and no HEAD, the expected layout wins', () => {
    const evidence = { headText: undefined, hasBundles: true, hasRefTable: true };
    expect(layoutOfRemote({ ...evidence, expected: 'packs' }, NAMES)).toBe('packs');
    expect(layoutOfRemote({ ...evidence, expected: 'bundle' }, NAMES)).toBe('bundle');
  });
});
