// Scenarios 6 and 7 of DESIGN §9: LFS upload and download of one large file (at two sizes, to show that
// peak memory stays flat as the size grows) and of many small files; for ours, the Python peer's agent and
// the raw SDK moving the same bytes.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mapConcurrent } from '@git-remote-s3/core';
import { pseudoRandom } from '../repos.js';
import type { Measurement, Scenario, Sizes } from '../scenario.js';
import { type BenchWorld, exec, type Subject } from '../world.js';

interface Case {
  readonly label: string;
  readonly files: readonly { readonly name: string; readonly size: number }[];
}

function cases(sizes: Sizes): Case[] {
  const mib = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;
  return [
    { label: `1 file of ${mib(sizes.lfsMedium)}`, files: [{ name: 'medium.bin', size: sizes.lfsMedium }] },
    { label: `1 file of ${mib(sizes.lfsLarge)}`, files: [{ name: 'large.bin', size: sizes.lfsLarge }] },
    {
      label: `${sizes.lfsSmallCount} files of ${Math.round(sizes.lfsSmallSize / 1024)} KiB`,
      files: Array.from({ length: sizes.lfsSmallCount }, (_, i) => ({
        name: `small-${String(i).padStart(4, '0')}.bin`,
        size: sizes.lfsSmallSize,
      })),
    },
  ];
}

const repos = new Map<string, { source: string; reader: string }>();

async function writeCase(dir: string, c: Case): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const f of c.files) {
    // Large files are written in 64 MiB pieces so generating them never holds a whole file.
    const piece = 64 * 1024 ** 2;
    const out = createWriteStream(join(dir, f.name));
    for (let at = 0; at < f.size; at += piece) {
      if (!out.write(pseudoRandom(`${f.name} ${at}`, Math.min(piece, f.size - at))))
        await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** A repository with the case's files in LFS, and a reader clone (via file://) without their content. */
async function prepare(world: BenchWorld, c: Case): Promise<{ source: string; reader: string }> {
  const env = world.env('git file://');
  const base = join(world.dir, `lfs-${c.files[0]?.name ?? 'x'}`);
  const source = join(base, 'source');
  await exec('git', ['init', '-q', '-b', 'main', source], env);
  await exec('git', ['lfs', 'install', '--local'], env, source);
  await exec('git', ['lfs', 'track', '*.bin'], env, source);
  await writeCase(source, c);
  await exec('git', ['add', '.'], env, source);
  await exec('git', ['commit', '-q', '-m', c.label], env, source);
  const reader = join(base, 'reader');
  await exec('git', ['clone', '-q', source, reader], { ...env, GIT_LFS_SKIP_SMUDGE: '1' });
  for (const repo of [source, reader]) {
    // Every remote of these repositories uses the agent found first on PATH: ours or the peer's.
    await exec('git', ['config', 'lfs.standalonetransferagent', 'git-lfs-s3'], env, repo);
    await exec('git', ['config', 'lfs.customtransfer.git-lfs-s3.path', 'git-lfs-s3'], env, repo);
    await exec('git', ['config', 'lfs.locksverify', 'false'], env, repo);
  }
  return { source, reader };
}

export const lfsScenario: Scenario = {
  name: 'lfs',
  title: 'LFS: one large file at two sizes, and many small files, up and down',
  async setup(world: BenchWorld, sizes: Sizes) {
    for (const c of cases(sizes)) repos.set(c.label, await prepare(world, c));
  },
  async run(world: BenchWorld, sizes: Sizes, run: number): Promise<Measurement[]> {
    const out: Measurement[] = [];
    const subjects: Subject[] = world.options.withPeer ? ['ours', 'awslabs (python)'] : ['ours'];
    for (const c of cases(sizes)) {
      const repo = repos.get(c.label);
      if (!repo) throw new Error(`no repository prepared for ${c.label}`);
      for (const subject of subjects) {
        const env = world.env(subject);
        const url = `s3://${world.bucket}/lfs-${subject === 'ours' ? 'ours' : 'peer'}-${c.files.length}-${c.files[0]?.size}-${run}`;
        for (const r of [repo.source, repo.reader]) await exec('git', ['config', 'remote.origin.url', url], env, r);
        const up = await world.measure(() => exec('git', ['lfs', 'push', 'origin', 'main'], env, repo.source).then(() => {}));
        out.push({ scenario: `6 LFS upload, ${c.label}`, subject, sample: up });
        await rm(join(repo.reader, '.git', 'lfs', 'objects'), { recursive: true, force: true });
        const down = await world.measure(() => exec('git', ['lfs', 'fetch', 'origin', 'main'], env, repo.reader).then(() => {}));
        out.push({ scenario: `6 LFS download, ${c.label}`, subject, sample: down });
      }
      out.push(...(await rawLfs(world, c, repo.source, run)));
    }
    return out;
  },
};

/** The raw SDK: the same files put and got with the same concurrency git-lfs uses (8). */
async function rawLfs(world: BenchWorld, c: Case, dir: string, run: number): Promise<Measurement[]> {
  const prefix = `lfs-raw-${c.files.length}-${c.files[0]?.size}-${run}`;
  const up = await world.measure(async () => {
    await mapConcurrent(c.files, 8, (f) => world.store.upload(`${prefix}/${f.name}`, createReadStream(join(dir, f.name)), {}));
  });
  const target = join(world.dir, 'raw-download');
  await mkdir(target, { recursive: true });
  const down = await world.measure(async () => {
    await mapConcurrent(c.files, 8, async (f) => {
      const { body } = await world.store.get(`${prefix}/${f.name}`);
      await pipeline(body, createWriteStream(join(target, f.name)));
    });
  });
  await rm(target, { recursive: true, force: true });
  return [
    { scenario: `6 LFS upload, ${c.label}`, subject: 'raw SDK', sample: up },
    { scenario: `6 LFS download, ${c.label}`, subject: 'raw SDK', sample: down },
  ];
}
