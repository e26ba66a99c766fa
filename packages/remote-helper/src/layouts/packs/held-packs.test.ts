import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRemoteUrl, resolveSettings } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { MemoryStore } from '@git-remote-s3/core/test-support/memory-store';
import { afterAll, describe, expect, it } from 'vitest';
import { openHeldPacks, recordHeldPacks } from './held-packs.js';

const root = mkdtempSync(join(tmpdir(), 'held-packs-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function repo(name: string): string {
  const dir = join(root, name);
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

function remote(url: string): Remote {
  return {
    url: parseRemoteUrl(url),
    display: url,
    store: new MemoryStore(),
    settings: resolveSettings({}, new Map()),
    gitConfig: new Map(),
  };
}

describe('held packs', () => {
  it('holds nothing before anything was recorded', async () => {
    expect([...(await openHeldPacks(remote('s3://memory/repo'), { cwd: repo('empty') })).names]).toEqual([]);
  });

  it('keeps what a push and a fetch recorded, for that remote only', async () => {
    const cwd = repo('both');
    const one = remote('s3://memory/repo');
    await recordHeldPacks(one, ['pack-pushed'], { cwd });
    await (await openHeldPacks(one, { cwd })).remember('pack-fetched');
    expect([...(await openHeldPacks(one, { cwd })).names]).toEqual(['pack-pushed', 'pack-fetched']);
    expect([...(await openHeldPacks(remote('s3://memory/other'), { cwd })).names]).toEqual([]);
  });
});
