// `doctor` on a packs-layout remote: every finding, the HEAD and ref-store fixes when asked, and a summary
// line; the bundle layout's fixes (stale locks, leftover bundles) are only noted, as there is nothing of theirs here.
import type { Remote } from '@git-remote-s3/core/remote';
import { diagnosePacks } from './diagnose.js';

/** doctor on a packs remote: every finding, the HEAD fix when asked, and a summary line; true when healthy. */
export async function runPacksDoctor(
  remote: Remote,
  options: { readonly setHead: string | undefined; readonly bundleFixes: boolean; readonly syncRefs?: boolean },
  say: (line: string) => void,
): Promise<boolean> {
  say(`doctor: checking ${remote.display} (packs layout)`);
  if (options.bundleFixes)
    say('note: --delete-stale-locks and --keep-newest-bundle are for the bundle layout; a packs remote has no ref locks or bundles');
  const { findings, fixed } = await diagnosePacks(remote, options.setHead, options.syncRefs ?? false);
  for (const line of fixed) say(line);
  for (const f of findings) say(`${f.problem ? 'problem' : 'note'}: ${f.text}`);
  for (const hint of new Set(findings.flatMap((f) => (f.problem && f.hint ? [f.hint] : [])))) say(`hint: ${hint}`);
  const problems = findings.filter((f) => f.problem).length;
  say(problems === 0 ? 'doctor: no problems found' : `doctor: ${problems} problem${problems === 1 ? '' : 's'} found`);
  return problems === 0;
}
