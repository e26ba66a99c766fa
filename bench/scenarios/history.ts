// Scenarios 1–4 of DESIGN §9 on one generated history (2,000 commits, ~100 MB by default): initial push,
// clone, an incremental push of one small commit with the matching fetch, and a no-op fetch; for ours in
// each bucket layout, git over file://, the raw SDK moving the same bytes, and the Python peer.
import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { headKey, layoutOfHead } from '@git-remote-s3/core';
import { addSmallCommit, generateHistory, pseudoRandom } from '../repos.js';
import type { Measurement, Scenario, Sizes } from '../scenario.js';
import { type BenchWorld, exec, type Subject } from '../world.js';

const GIT_SUBJECTS: readonly Subject[] = ['ours (bundle)', 'ours (packs)', 'awslabs (python)', 'git file://'];
/** Each S3 subject's own prefix; the layout of ours comes from world.env (s3.layout), not from the URL. */
const PREFIX: Partial<Record<Subject, string>> = {
  'ours (bundle)': 'ours-bundle',
  'ours (packs)': 'ours-packs',
  'awslabs (python)': 'peer',
};
const LAYOUT: Partial<Record<Subject, 'bundle' | 'packs'>> = { 'ours (bundle)': 'bundle', 'ours (packs)': 'packs' };

let source = '';

function prefixOf(subject: Subject, run: number): string {
  return `history-${PREFIX[subject] ?? 'other'}-${run}`;
}

function remoteOf(world: BenchWorld, subject: Subject, run: number): string {
  if (subject === 'git file://') return `file://${join(world.dir, `bare-${run}.git`)}`;
  return `s3://${world.bucket}/${prefixOf(subject, run)}`;
}

/** Fails the run when the first push did not create the layout the subject stands for (unmeasured: one GET). */
async function expectLayout(world: BenchWorld, subject: Subject, run: number): Promise<void> {
  const expected = LAYOUT[subject];
  if (!expected) return;
  const found = layoutOfHead((await world.store.getText(headKey(prefixOf(subject, run))))?.text);
  if (found !== expected) throw new Error(`bench: ${subject} pushed a ${found ?? 'HEAD-less'} remote, expected the ${expected} layout`);
}

export const historyScenario: Scenario = {
  name: 'history',
  title: 'push, clone, incremental push/fetch and no-op fetch of a large history',
  async setup(world: BenchWorld, sizes: Sizes) {
    source = join(world.dir, 'history-source');
    await generateHistory(source, { commits: sizes.commits, bytesPerCommit: sizes.bytesPerCommit }, world.env('git file://'));
  },
  async run(world: BenchWorld, _sizes: Sizes, run: number): Promise<Measurement[]> {
    const out: Measurement[] = [];
    const subjects = GIT_SUBJECTS.filter((s) => s !== 'awslabs (python)' || world.options.withPeer);
    const pushedBytes: Record<string, number> = {};
    for (const subject of subjects) {
      const env = world.env(subject);
      const url = remoteOf(world, subject, run);
      if (subject === 'git file://') await exec('git', ['init', '-q', '--bare', url.slice('file://'.length)], env);
      const clone = join(world.dir, `clone-${subject.replace(/\W+/g, '-')}-${run}`);

      const push = await world.measure(() => exec('git', ['push', '-q', url, 'main:refs/heads/main'], env, source).then(() => {}));
      out.push({ scenario: '1 initial push', subject, sample: push });
      await expectLayout(world, subject, run);
      if (subject === 'ours (bundle)') pushedBytes.push = push.up;

      const cloned = await world.measure(() => exec('git', ['clone', '-q', url, clone], env).then(() => {}));
      out.push({ scenario: '2 clone', subject, sample: cloned });

      await addSmallCommit(clone, run, env);
      const incremental = await world.measure(() => exec('git', ['push', '-q', 'origin', 'main'], env, clone).then(() => {}));
      out.push({ scenario: '3a incremental push (1 small commit)', subject, sample: incremental });
      if (subject === 'ours (bundle)') pushedBytes.incremental = incremental.up;

      const fetched = await world.measure(() => exec('git', ['fetch', '-q', url, 'main'], env, source).then(() => {}));
      out.push({ scenario: '3b matching fetch', subject, sample: fetched });

      const noop = await world.measure(() => exec('git', ['fetch', '-q', url, 'main'], env, source).then(() => {}));
      out.push({ scenario: '4 no-op fetch', subject, sample: noop });
      await rm(clone, { recursive: true, force: true });
    }
    out.push(...(await rawBaseline(world, run, pushedBytes)));
    return out;
  },
};

/** The raw SDK moving the bytes ours moved in the default (bundle) layout: one streamed upload and one download per transfer. */
async function rawBaseline(world: BenchWorld, run: number, bytes: Record<string, number>): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const file = join(world.dir, 'raw.bin');
  for (const [scenario, download, size] of [
    ['1 initial push', '2 clone', bytes.push ?? 0],
    ['3a incremental push (1 small commit)', '3b matching fetch', bytes.incremental ?? 0],
  ] as const) {
    const key = `raw-${run}/${scenario.split(' ')[0]}`;
    await writeFile(file, pseudoRandom(key, size));
    const up = await world.measure(async () => {
      await world.store.upload(key, createReadStream(file), {});
    });
    out.push({ scenario, subject: 'raw SDK', sample: up });
    const down = await world.measure(async () => {
      const { body } = await world.store.get(key);
      await pipeline(body, async (chunks: AsyncIterable<Buffer>) => {
        for await (const _ of chunks) {
          // drain
        }
      });
    });
    out.push({ scenario: download, subject: 'raw SDK', sample: down });
  }
  out.push({ scenario: '4 no-op fetch', subject: 'raw SDK', skipped: 'nothing to move' });
  await rm(file, { force: true });
  return out;
}
