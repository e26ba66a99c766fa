import type { Readable } from 'node:stream';
import {
  formatPacksHead,
  type PutOptions,
  packKeys,
  packListKey,
  parsePackList,
  retiredPacksKey,
  type UploadOptions,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PushRequest, SessionOptions } from '../../layouts/layout.js';
import { readRefTable } from '../../layouts/packs/info-refs.js';
import { PacksLayout } from '../../layouts/packs/packs-layout.js';
import { makeTestHistory, memoryRemote, type TestHistory } from '../../layouts/test-repo.fixture.js';
import { runGc } from './gc.js';

const MAIN = 'refs/heads/main';
const SIDE = 'refs/heads/side';
const PACK_LIST = packListKey('repo');
const RETIRED = retiredPacksKey('repo');
const GRACE_MS = 3_600_000;

/** The in-memory store, recording every write and delete in order, with a rival that acts right before one of our pack-list writes. */
class RecordingStore extends MemoryStore {
  readonly events: string[] = [];
  private rival: (() => Promise<void>) | undefined;

  /** Runs `step` once, right before the next conditional write of the pack list (after its read). */
  beforePackListWrite(step: () => Promise<void>): void {
    this.rival = step;
  }

  override async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    const step = key === PACK_LIST && options.ifMatch ? this.rival : undefined;
    if (step) {
      this.rival = undefined;
      await step();
    }
    this.events.push(`put ${key} ${Buffer.from(body).toString('utf8').trim().replaceAll('\n', ',')}`);
    return super.put(key, body, options);
  }

  override async upload(key: string, body: Readable, options: UploadOptions = {}): Promise<{ etag: string }> {
    this.events.push(`upload ${key}`);
    return super.upload(key, body, options);
  }

  override async delete(key: string): Promise<void> {
    this.events.push(`delete ${key}`);
    return super.delete(key);
  }

  override async deleteMany(keys: readonly string[]): Promise<void> {
    this.events.push(`delete ${[...keys].sort().join(',')}`);
    return super.deleteMany(keys);
  }
}

const options: SessionOptions = { progress: false, dryRun: false, atomic: false, verbosity: 0, cas: new Map() };
const request = (dst: string, sha: string): PushRequest => ({ sha, dst, force: false, expect: undefined });
const gc = (remote: Remote) => runGc(remote, { graceMs: GRACE_MS, dryRun: false, progress: false });
const packList = async (store: MemoryStore) => parsePackList((await store.getText(PACK_LIST))?.text ?? '', PACK_LIST);
/** The first event that starts with `prefix` and mentions every one of `words`. */
const indexOf = (events: readonly string[], prefix: string, ...words: string[]) =>
  events.findIndex((e) => e.startsWith(prefix) && words.every((w) => e.includes(w)));

describe('gc on the in-memory store: the order that keeps readers and pushers safe', () => {
  let history: TestHistory;
  beforeAll(() => {
    history = makeTestHistory();
  });
  afterAll(() => history.dispose());
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A packs remote with two packs (main pushed at c1, then at c2); the server's clock stands still. */
  async function remoteWithTwoPacks(): Promise<{ store: RecordingStore; remote: Remote; old: string[] }> {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2024-05-01T12:00:00Z') });
    const store = new RecordingStore();
    const remote = memoryRemote(store);
    await new PacksLayout(remote, undefined, true).push([request(MAIN, history.c1)], options);
    await new PacksLayout(remote, formatPacksHead(MAIN)).push([request(MAIN, history.c2)], options);
    const old = await packList(store);
    expect(old).toHaveLength(2);
    store.events.length = 0;
    return { store, remote, old };
  }

  it('uploads the consolidated pack and records the old ones as retired before the pack list swaps them, deleting nothing', async () => {
    const { store, remote, old } = await remoteWithTwoPacks();
    const report = await gc(remote);
    const [name] = await packList(store);
    expect(await packList(store)).toEqual([name]);
    expect(old).not.toContain(name);
    const { events } = store;
    const keys = packKeys('repo', name as string);
    const listed = indexOf(events, `put ${PACK_LIST}`, name as string);
    const retired = indexOf(events, `put ${RETIRED}`, ...old);
    expect(indexOf(events, `upload ${keys.pack}`)).toBeGreaterThanOrEqual(0);
    expect(indexOf(events, `upload ${keys.pack}`)).toBeLessThan(listed);
    expect(indexOf(events, `upload ${keys.idx}`)).toBeLessThan(listed);
    expect(retired).toBeGreaterThanOrEqual(0);
    expect(retired).toBeLessThan(listed);
    expect(events.filter((e) => e.startsWith('delete'))).toEqual([]);
    expect(report.keptRetired.map((w) => w.group.name).sort()).toEqual([...old].sort());
    for (const pack of old) expect(store.keys()).toContain(packKeys('repo', pack).pack);
  });

  it('keeps listed the pack a push landed between its read of the pack list and its conditional write', async () => {
    const { store, remote, old } = await remoteWithTwoPacks();
    let pushed: string[] = [];
    store.beforePackListWrite(async () => {
      await new PacksLayout(remote, formatPacksHead(MAIN)).push([request(SIDE, history.c3)], options);
      pushed = (await packList(store)).filter((n) => !old.includes(n));
    });
    await gc(remote);
    expect(pushed).toHaveLength(1);
    const after = await packList(store);
    expect(after).toHaveLength(2);
    expect(after).toContain(pushed[0]);
    expect(after.some((n) => old.includes(n))).toBe(false);
    expect((await readRefTable(remote)).refs.map((r) => `${r.ref} ${r.sha}`).sort()).toEqual([
      `${MAIN} ${history.c2}`,
      `${SIDE} ${history.c3}`,
    ]);
  });

  it('deletes nothing while the grace period lasts, then deletes the retired packs and forgets them', async () => {
    const { store, remote, old } = await remoteWithTwoPacks();
    await gc(remote);
    const oldKeys = old.flatMap((n) => Object.values(packKeys('repo', n)));

    vi.setSystemTime(Date.now() + GRACE_MS - 60_000);
    store.events.length = 0;
    const early = await gc(remote);
    expect(early.deletedRetired).toEqual([]);
    expect(store.events).toEqual([]);
    for (const key of oldKeys) expect(store.keys()).toContain(key);

    vi.setSystemTime(Date.now() + 60_000);
    const late = await gc(remote);
    expect(late.deletedRetired.map((g) => g.name).sort()).toEqual([...old].sort());
    expect(store.events).toEqual([`delete ${[...oldKeys].sort().join(',')}`, `put ${RETIRED} `]);
    for (const key of oldKeys) expect(store.keys()).not.toContain(key);
    expect(await packList(store)).toHaveLength(1);
  });
});
