import {
  bundleKey,
  headKey,
  infoRefsKey,
  lockKey,
  MigrationAbortedError,
  MigrationRefusedError,
  PROTECTED_NAME,
  type PutOptions,
  parseInfoRefs,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleLayout } from '../../layouts/bundle/bundle-layout.js';
import type { PushRequest, SessionOptions } from '../../layouts/layout.js';
import { makeTestHistory, memoryRemote, type TestHistory } from '../../layouts/test-repo.fixture.js';
import { type MigrateOptions, migrateRemote } from './migrate.js';

const MAIN = 'refs/heads/main';
const SIDE = 'refs/heads/side';
const NEW = 'refs/heads/new';
const HEAD = headKey('repo');

/** The in-memory store, with rivals staged at two moments of a migration, and deletes that can be made to fail. */
class RivalStore extends MemoryStore {
  private afterBuild: (() => void) | undefined;
  private beforeSwitch: (() => void) | undefined;
  private failingDelete: Error | undefined;

  /** Runs `step` once, at the first listing of refs/ once the target's ref table exists (the check before the switch). */
  onceTargetBuilt(step: () => void): void {
    this.afterBuild = step;
  }

  /** Runs `step` once, right before the conditional write of HEAD. */
  onceBeforeSwitch(step: () => void): void {
    this.beforeSwitch = step;
  }

  failNextDeleteMany(error: Error): void {
    this.failingDelete = error;
  }

  override async list(prefix: string, delimiter?: string) {
    if (prefix === 'repo/refs/' && this.afterBuild && this.keys().includes(infoRefsKey('repo'))) {
      this.afterBuild();
      this.afterBuild = undefined;
    }
    return super.list(prefix, delimiter);
  }

  override async put(key: string, body: string | Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    if (key === HEAD && options.ifMatch && this.beforeSwitch) {
      this.beforeSwitch();
      this.beforeSwitch = undefined;
    }
    return super.put(key, body, options);
  }

  override async deleteMany(keys: readonly string[]): Promise<void> {
    const failing = this.failingDelete;
    this.failingDelete = undefined;
    if (failing) throw failing;
    return super.deleteMany(keys);
  }
}

const pushOptions: SessionOptions = { progress: false, dryRun: false, atomic: false, verbosity: 0, cas: new Map() };
const request = (dst: string, sha: string): PushRequest => ({ sha, dst, force: false, expect: undefined });
const toPacks: MigrateOptions = { to: 'packs', dryRun: false, progress: false, remoteName: undefined };

describe('migrate from bundle to packs on the in-memory store: aborts and refusals', () => {
  let history: TestHistory;
  /** A bundle of `new` at c1 as a rival's push writes it (made while the fixture's repository is current). */
  let rivalBundle: { key: string; bytes: Buffer };
  beforeAll(async () => {
    history = makeTestHistory();
    const scratch = new MemoryStore();
    await new BundleLayout(memoryRemote(scratch), undefined, null).push([request(NEW, history.c1)], pushOptions);
    const key = bundleKey('repo', NEW, history.c1);
    rivalBundle = { key, bytes: Buffer.concat(await (await scratch.get(key)).body.toArray()) };
  });
  afterAll(() => history.dispose());

  /** A bundle remote with main at c2 and side at c3 (HEAD names main), and what migrate reports. */
  async function bundleRemote(): Promise<{ store: RivalStore; remote: Remote; keys: string[]; lines: string[]; warnings: string[] }> {
    const store = new RivalStore();
    const remote = memoryRemote(store);
    await new BundleLayout(remote, undefined, null).push([request(MAIN, history.c2), request(SIDE, history.c3)], pushOptions);
    return { store, remote, keys: store.keys(), lines: [], warnings: [] };
  }
  const reporter = (r: { lines: string[]; warnings: string[] }) => ({
    say: (l: string) => r.lines.push(l),
    warn: (l: string) => r.warnings.push(l),
  });
  const packsRefs = async (store: MemoryStore) =>
    parseInfoRefs((await store.getText(infoRefsKey('repo')))?.text ?? '', 'info/refs').map((r) => `${r.ref} ${r.sha}`);
  const landRivalPush = (store: MemoryStore) => () => store.plant(rivalBundle.key, rivalBundle.bytes);

  it('aborts when a push of a new ref lands after the target is built, keeping HEAD and the source; a re-run migrates it too', async () => {
    const remoteState = await bundleRemote();
    const { store, remote, keys } = remoteState;
    const head = await store.getText(HEAD);
    store.onceTargetBuilt(landRivalPush(store));
    const aborted = migrateRemote(remote, toPacks, reporter(remoteState));
    await expect(aborted).rejects.toBeInstanceOf(MigrationAbortedError);
    await expect(aborted).rejects.toThrow(`a push of ${NEW} landed in the bundle layout during the migration`);
    expect(await store.getText(HEAD)).toEqual(head);
    expect(store.keys()).toEqual([...keys, rivalBundle.key].sort());

    expect(await migrateRemote(remote, toPacks, reporter(remoteState))).toMatchObject({ kind: 'migrated' });
    expect(await packsRefs(store)).toEqual([`${MAIN} ${history.c2}`, `${NEW} ${history.c1}`, `${SIDE} ${history.c3}`]);
    expect(store.keys().filter((k) => k.startsWith('repo/refs/'))).toEqual([]);
  });

  it("aborts when HEAD changes before its conditional switch, keeping the rival's HEAD and the source", async () => {
    const remoteState = await bundleRemote();
    const { store, remote, keys } = remoteState;
    const rivalHead = ((await store.getText(HEAD))?.text ?? '').replace('main', 'side');
    store.onceBeforeSwitch(() => store.plant(HEAD, rivalHead));
    const aborted = migrateRemote(remote, toPacks, reporter(remoteState));
    await expect(aborted).rejects.toBeInstanceOf(MigrationAbortedError);
    await expect(aborted).rejects.toThrow("the remote's HEAD changed during the migration");
    expect((await store.getText(HEAD))?.text).toBe(rivalHead);
    expect(store.keys()).toEqual(keys);
  });

  it('leaves the target for a re-run to remove when discarding it fails, and the re-run finishes the migration', async () => {
    const remoteState = await bundleRemote();
    const { store, remote, keys, lines, warnings } = remoteState;
    store.onceTargetBuilt(() => {
      landRivalPush(store)();
      store.failNextDeleteMany(new Error('connection reset'));
    });
    await expect(migrateRemote(remote, toPacks, reporter(remoteState))).rejects.toBeInstanceOf(MigrationAbortedError);
    expect(warnings).toEqual(["could not remove what was written (connection reset); 'git s3 migrate' removes it when run again"]);
    const leftovers = store.keys().filter((k) => !keys.includes(k) && k !== rivalBundle.key);
    expect(leftovers).toContain(infoRefsKey('repo'));

    lines.length = 0;
    expect(await migrateRemote(remote, toPacks, reporter(remoteState))).toMatchObject({ kind: 'migrated' });
    expect(lines).toContain(`removed ${leftovers.length} leftover keys of the packs layout (the remote is in the bundle layout)`);
    expect(await packsRefs(store)).toEqual([`${MAIN} ${history.c2}`, `${NEW} ${history.c1}`, `${SIDE} ${history.c3}`]);
    expect(store.keys().filter((k) => k.startsWith('repo/refs/'))).toEqual([]);
  });

  it('refuses while a ref is locked by a push in progress, writing nothing', async () => {
    const remoteState = await bundleRemote();
    const { store, remote } = remoteState;
    store.plant(lockKey('repo', MAIN), '');
    const keys = store.keys();
    const refused = migrateRemote(remote, toPacks, reporter(remoteState));
    await expect(refused).rejects.toBeInstanceOf(MigrationRefusedError);
    await expect(refused).rejects.toThrow(`ref ${MAIN} is locked by a push in progress`);
    expect(store.keys()).toEqual(keys);
  });

  it('finds nothing to migrate where only protection set before a first push is kept, and writes nothing', async () => {
    const store = new MemoryStore();
    const remote = memoryRemote(store);
    store.plant(`repo/refs/heads/trunk/${PROTECTED_NAME}`, '');
    const keys = store.keys();
    const report = { lines: [] as string[], warnings: [] as string[] };
    for (const to of ['packs', 'bundle'] as const) {
      await expect(migrateRemote(remote, { ...toPacks, to }, reporter(report))).resolves.toEqual({ kind: 'empty' });
    }
    expect(report.lines[0]).toBe('nothing to migrate: s3://memory/repo is empty');
    expect(store.keys()).toEqual(keys);
  });
});
