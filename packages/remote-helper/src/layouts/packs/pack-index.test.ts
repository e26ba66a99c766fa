import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptObjectError } from '@git-remote-s3/core';
import { afterAll, describe, expect, it } from 'vitest';
import { hashBytesOfPack, indexObjectIds } from './pack-index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository with a few objects in one pack: its idx bytes, pack name and the ids `git show-index` lists. */
function packedRepo(format: 'sha1' | 'sha256') {
  const dir = mkdtempSync(join(tmpdir(), 'pack-index-'));
  dirs.push(dir);
  const env = { ...process.env, GIT_DIR: join(dir, '.git'), GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e' };
  const git = (args: string[], input?: Buffer) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...env, GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' }, input });
  git(['init', '-q', `--object-format=${format}`, dir]);
  for (const n of [1, 2, 3]) git(['commit', '-q', '--allow-empty', '-m', `commit ${n}`]);
  git(['repack', '-a', '-d', '-q']);
  const packDir = join(dir, '.git', 'objects', 'pack');
  const idx = readdirSync(packDir).find((f) => f.endsWith('.idx')) ?? '';
  const bytes = readFileSync(join(packDir, idx));
  const ids = git(['show-index'], bytes)
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '');
  return { bytes, name: idx.replace(/\.idx$/, ''), ids };
}

async function collect(chunks: Buffer[], hashBytes: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of indexObjectIds(chunks, hashBytes, 's3://b/r/objects/pack/pack-x.idx')) ids.push(id);
  return ids;
}

/** `bytes` cut into pieces of `size`, as a network stream delivers them. */
const pieces = (bytes: Buffer, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('indexObjectIds', () => {
  it.each(['sha1', 'sha256'] as const)('lists the ids git show-index lists, from a %s index in any chunking', async (format) => {
    const { bytes, name, ids } = packedRepo(format);
    expect(ids).toHaveLength(4);
    const hashBytes = hashBytesOfPack(name);
    expect(hashBytes).toBe(format === 'sha1' ? 20 : 32);
    for (const size of [1, 7, 1024, bytes.length]) expect(await collect(pieces(bytes, size), hashBytes)).toEqual(ids);
  });

  it('stops reading once the last id is out', async () => {
    const { bytes, name } = packedRepo('sha1');
    let pulled = 0;
    async function* stream() {
      for (const piece of pieces(bytes, 64)) {
        pulled++;
        yield piece;
      }
    }
    const ids: string[] = [];
    for await (const id of indexObjectIds(stream(), hashBytesOfPack(name), 'x')) ids.push(id);
    expect(ids).toHaveLength(4);
    expect(pulled).toBeLessThan(Math.ceil(bytes.length / 64));
  });

  const header = (counts: number[]) => {
    const b = Buffer.alloc(8 + 1024);
    b.set([0xff, 0x74, 0x4f, 0x63]);
    b.writeUInt32BE(2, 4);
    let total = 0;
    for (let i = 0; i < 256; i++) {
      total = counts[i] ?? total;
      b.writeUInt32BE(total, 8 + i * 4);
    }
    return b;
  };
  const id = (byte: number) => Buffer.alloc(20, byte);

  it.each([
    ['a version 1 index', Buffer.concat([Buffer.alloc(1024), id(1)]), /not a version 2 pack index/],
    ['a header cut short', header([]).subarray(0, 100), /shorter than its header/],
    ['ids cut short', Buffer.concat([header([2]), id(1)]), /ends after 1 of its 2 object ids/],
    ['ids out of order', Buffer.concat([header([2]), id(2), id(1)]), /out of order/],
    [
      'a fan-out that decreases',
      (() => {
        const b = header([5]);
        b.writeUInt32BE(1, 8 + 255 * 4);
        return b;
      })(),
      /fan-out table decreases/,
    ],
  ])('refuses %s', async (_what, bytes, message) => {
    await expect(collect([bytes], 20)).rejects.toThrow(CorruptObjectError);
    await expect(collect([bytes], 20)).rejects.toThrow(message);
  });

  it('reads an empty index', async () => {
    expect(await collect([header([])], 20)).toEqual([]);
  });
});
