// `tsx bench/cpu-profile.ts <dir>`: sums the .cpuprofile files that `NODE_OPTIONS=--cpu-prof
// --cpu-prof-dir=<dir>` left behind and prints where the time went: self time by package or module,
// then the heaviest functions. How the benchmark's worst ratios are explained.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `@aws-sdk/client-s3`, `zod`, `node:internal/…`, or the bundled file of ours. */
function owner(url: string): string {
  if (url === '') return '(native / idle / gc)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^file:\/\/.*\/packages\//, 'packages/');
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx bench/cpu-profile.ts <dir with .cpuprofile files>\n');
  process.exit(2);
}
const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += us;
    const who = owner(node.callFrame.url);
    byOwner.set(who, (byOwner.get(who) ?? 0) + us);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${who}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  });
}
const top = (m: Map<string, number>, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms  ${((us * 100) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(
  `total sampled: ${(total / 1000).toFixed(0)} ms\nby owner:\n${top(byOwner, 12)}\nheaviest functions:\n${top(byFunction, 15)}\n`,
);
