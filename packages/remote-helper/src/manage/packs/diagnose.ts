// `doctor`'s findings about a packs-layout remote: the ref table, the pack list, HEAD, ref names that
// conflict, packs nobody lists, and the copies of the refs that readers of the bare repository consult.
import {
  CorruptObjectError,
  formatBytes,
  objectUrl,
  packDirPrefix,
  packedRefsKey,
  packKeys,
  packsHeadKey,
  parsePacksHead,
  printable,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { readRefTable } from '../../layouts/packs/info-refs.js';
import { readPackList } from '../../layouts/packs/pack-list.js';
import { conflictingRefPairs, describeRefNameConflict } from '../../layouts/push-rules.js';
import { groupPackFiles } from './gc-plan.js';
import { diagnoseRefStores } from './ref-stores.js';
import { setPacksHead } from './set-head.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface PacksFinding {
  readonly problem: boolean;
  readonly text: string;
  /** What fixes it, when the text does not say. */
  readonly hint?: string;
}

/**
 * What doctor finds on a packs remote: an unreadable ref table or pack list, a HEAD that is missing or
 * names no branch, refs of which one is a path prefix of another (no clone can take both), listed packs whose .pack or .idx is missing (a clone would fail), and packs nobody
 * lists (an interrupted push or gc; harmless, `git s3 gc` deletes them after its grace period).
 */
export async function diagnosePacks(
  remote: Remote,
  setHead: string | undefined,
  syncRefs = false,
): Promise<{ findings: PacksFinding[]; fixed: string[] }> {
  const prefix = remote.url.prefix;
  const findings: PacksFinding[] = [];
  const fixed: string[] = [];
  const read = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await what();
    } catch (error) {
      if (!(error instanceof CorruptObjectError)) throw error;
      findings.push({ problem: true, text: error.message });
      return undefined;
    }
  };
  const [table, packs, head, listing, packedRefs] = await Promise.all([
    read(() => readRefTable(remote)),
    read(() => readPackList(remote)),
    remote.store.getText(packsHeadKey(prefix)),
    remote.store.list(packDirPrefix(prefix)),
    remote.store.getText(packedRefsKey(prefix)),
  ]);
  const refs = table?.refs ?? [];
  let named = head ? parsePacksHead(head.text) : undefined;
  if (setHead !== undefined) {
    named = await setPacksHead(remote, refs, setHead, head?.etag);
    fixed.push(`done: HEAD now names ${named}`);
  }
  const branches = refs.filter((r) => r.ref.startsWith('refs/heads/')).map((r) => r.ref.slice('refs/heads/'.length));
  const suggestion = ['main', 'master'].find((b) => branches.includes(b)) ?? branches[0] ?? '<branch>';
  const fix = `run 'git s3 doctor --set-head ${suggestion} ${remote.display}'`;
  if (!head && setHead === undefined) {
    findings.push({ problem: true, text: `HEAD is missing at ${objectUrl(remote.store.bucket, packsHeadKey(prefix))}; ${fix}` });
  } else if (!named) findings.push({ problem: true, text: `HEAD does not name a branch: '${printable(head?.text.trim() ?? '')}'; ${fix}` });
  else if (!refs.some((r) => r.ref === named)) findings.push({ problem: true, text: `HEAD names ${named}, which does not exist; ${fix}` });

  for (const pair of conflictingRefPairs(refs.map((r) => r.ref)))
    findings.push({ problem: true, ...describeRefNameConflict(pair, remote.display) });

  const present = new Set(listing.objects.map((o) => o.key));
  const listedNames = new Set(packs?.names ?? []);
  for (const name of listedNames) {
    const keys = packKeys(prefix, name);
    for (const key of [keys.pack, keys.idx]) {
      if (!present.has(key))
        findings.push({ problem: true, text: `${name} is listed but ${objectUrl(remote.store.bucket, key)} is missing` });
    }
  }
  // A pack's size is that of all its files (.pack, .idx), as gc reports it (gc-plan.ts).
  const groups = groupPackFiles(prefix, listing.objects);
  const unlisted = [...groups.values()].filter((g) => !listedNames.has(g.name) && g.keys.some((k) => k.endsWith('.pack')));
  if (unlisted.length > 0) {
    const bytes = unlisted.reduce((n, g) => n + g.bytes, 0);
    const them = unlisted.length === 1 ? 'it' : 'them';
    findings.push({
      problem: false,
      text: `${plural(unlisted.length, 'pack')} (${formatBytes(bytes)}) not in the pack list (an interrupted push, or retired by gc); 'git s3 gc' deletes ${them} after its grace period`,
    });
  }
  // The copies readers of the bare repository (git, JGit) consult, compared only with a readable table.
  if (table) {
    const stores = await diagnoseRefStores(remote, table.etag === undefined ? undefined : refs, packedRefs?.text, syncRefs);
    findings.push(...stores.findings);
    fixed.push(...stores.fixed);
  }
  const total = [...listedNames].reduce((n, name) => n + (groups.get(name)?.bytes ?? 0), 0);
  findings.push({ problem: false, text: `${plural(refs.length, 'ref')}, ${plural(listedNames.size, 'pack')} (${formatBytes(total)})` });
  return { findings, fixed };
}
