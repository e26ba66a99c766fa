// Issue #13 §2, many refs: N refs (half branches, half tags, every other tag annotated) pushed in one push to
// the packs layout, then `git ls-remote`, a clone, a one-ref push and a no-op fetch; for ours and git over
// file://, at several N (a 10-ref remote is the baseline the one-ref push and no-op fetch are judged against;
// two larger N show whether anything grows faster than the number of refs).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { addSmallCommit, run as runGit } from '../repos.js';
import type { Measurement, Scenario, Sizes } from '../scenario.js';
import { type BenchWorld, exec, type Subject } from '../world.js';

const SUBJECTS: readonly Subject[] = ['ours (packs)', 'git file://'];
/** Commits the refs point at (round robin): enough that refs differ, few enough that objects cost nothing. */
const COMMITS = 50;

/** The numbers of refs measured: a 10-ref baseline, then the small and the large remote. */
export function refCounts(sizes: Sizes): number[] {
  return sizes.quick ? [10, 200, 1000] : [10, 1000, 10000];
}

const sources = new Map<number, string>();

/** A repository with `count` refs: `count/2` branches, the rest tags, every other tag annotated. */
async function generateRefs(dir: string, count: number, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit('git', ['init', '-q', '-b', 'main', dir], env);
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, env, stdio: ['pipe', 'ignore', 'inherit'] });
  const lines: string[] = [];
  for (let i = 0; i < COMMITS; i++) {
    const when = `${1_700_000_000 + i * 60} +0000`;
    const message = `commit ${i}\n`;
    const content = `file ${i}\n`;
    lines.push(`blob\nmark :${2 * i + 1}\ndata ${content.length}\n${content}`);
    lines.push(
      `commit refs/heads/main\nmark :${2 * i + 2}\ncommitter Bench <bench@example.com> ${when}\ndata ${message.length}\n${message}`,
    );
    if (i > 0) lines.push(`from :${2 * i}\n`);
    lines.push(`M 100644 :${2 * i + 1} file-${i % 10}.txt\n\n`);
  }
  const branches = Math.floor(count / 2) - 1; // main is one of them
  for (let i = 0; i < branches; i++)
    lines.push(`reset refs/heads/branch-${String(i).padStart(5, '0')}\nfrom :${2 * (i % COMMITS) + 2}\n\n`);
  for (let i = 0; i < count - branches - 1; i++) {
    const name = `v${String(i).padStart(5, '0')}`;
    const mark = `:${2 * (i % COMMITS) + 2}`;
    if (i % 2 === 0) {
      const message = `release ${name}\n`;
      lines.push(`tag ${name}\nfrom ${mark}\ntagger Bench <bench@example.com> 1700000000 +0000\ndata ${message.length}\n${message}\n`);
    } else {
      lines.push(`reset refs/tags/${name}\nfrom ${mark}\n\n`);
    }
  }
  child.stdin.end(lines.join(''));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  await runGit('git', ['reset', '-q', '--hard', 'main'], env, dir);
}

function remoteOf(world: BenchWorld, subject: Subject, count: number, run: number): string {
  if (subject === 'git file://') return `file://${join(world.dir, `refs-bare-${count}-${run}.git`)}`;
  return `s3://${world.bucket}/refs-${count}-${run}`;
}

/** Runs git and checks how many lines it printed (ls-remote: one per ref). */
async function lineCount(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<number> {
  return (await exec('git', args, env, cwd)).split('\n').filter(Boolean).length;
}

export const refsScenario: Scenario = {
  name: 'refs',
  title: 'many refs: one push of N branches and tags, ls-remote, clone, one-ref push, no-op fetch',
  async setup(world: BenchWorld, sizes: Sizes) {
    for (const count of refCounts(sizes)) {
      const dir = join(world.dir, `refs-source-${count}`);
      await generateRefs(dir, count, world.env('git file://'));
      sources.set(count, dir);
    }
  },
  async run(world: BenchWorld, sizes: Sizes, run: number): Promise<Measurement[]> {
    const out: Measurement[] = [];
    for (const count of refCounts(sizes)) {
      const source = sources.get(count) as string;
      const name = (what: string) => `refs ${String(count).padStart(5)}: ${what}`;
      for (const subject of SUBJECTS) {
        const env = world.env(subject);
        const url = remoteOf(world, subject, count, run);
        if (subject === 'git file://') await exec('git', ['init', '-q', '--bare', url.slice('file://'.length)], env);
        const clone = join(world.dir, `refs-clone-${subject.replace(/\W+/g, '-')}-${count}-${run}`);

        const push = await world.measure(() =>
          exec('git', ['push', '-q', url, 'refs/heads/*:refs/heads/*', 'refs/tags/*:refs/tags/*'], env, source).then(() => {}),
        );
        out.push({ scenario: name('1 push all refs'), subject, sample: push });

        let listed = 0;
        const lsRemote = await world.measure(async () => {
          listed = await lineCount(['ls-remote', url], env);
        });
        // ls-remote prints HEAD and each annotated tag's peeled `^{}` line besides the refs.
        if (listed < count) throw new Error(`bench: ${subject} lists ${listed} refs after pushing ${count}`);
        out.push({ scenario: name('2 ls-remote'), subject, sample: lsRemote });

        const cloned = await world.measure(() => exec('git', ['clone', '-q', url, clone], env).then(() => {}));
        out.push({ scenario: name('3 clone'), subject, sample: cloned });

        await addSmallCommit(clone, run, env);
        const onePush = await world.measure(() => exec('git', ['push', '-q', 'origin', 'main'], env, clone).then(() => {}));
        out.push({ scenario: name('4 one-ref push'), subject, sample: onePush });

        const noop = await world.measure(() => exec('git', ['fetch', '-q', 'origin'], env, clone).then(() => {}));
        out.push({ scenario: name('5 no-op fetch'), subject, sample: noop });
        await rm(clone, { recursive: true, force: true });
      }
    }
    return out;
  },
};
