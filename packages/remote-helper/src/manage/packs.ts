// The management commands on a packs-layout remote: list, delete-branch, protect, unprotect and doctor
// act on the ref table (info/refs), the protected list beside it (info/s3-protected), HEAD and the packs.
import {
  CorruptObjectError,
  formatBytes,
  formatPacksHead,
  log,
  objectUrl,
  PreconditionFailedError,
  ProtectedBranchError,
  packDirPrefix,
  packedRefsKey,
  packKeys,
  packsHeadKey,
  parsePacksHead,
  printable,
  type RefRecord,
} from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';
import type { Remote } from '@git-remote-s3/core/remote';
import { keepRefStoresInStep } from '../layouts/packs/loose-refs.js';
import { withKnownPeels } from '../layouts/packs/ref-stores.js';
import {
  backOff,
  CONDITIONAL_ATTEMPTS,
  commitRefTable,
  objectPeels,
  readPackList,
  readProtectedRefs,
  readRefTable,
  setProtected,
} from '../layouts/packs/remote-repo.js';
import { conflictingRefPairs, describeRefNameConflict } from '../layouts/push-rules.js';
import { branchName, branchRef, type DeletedBranch } from './branch.js';
import { formatColumns } from './list.js';
import { diagnoseRefStores } from './packs-refs.js';
import { replaceHead } from './set-head.js';

const SHORT_SHA = 7;

/** HEAD, then a row per ref (short id, ref, `protected`), then how many packs hold the objects. */
export async function listPacksRemote(remote: Remote): Promise<string[]> {
  const [table, head, protectedRefs, packs] = await Promise.all([
    readRefTable(remote),
    remote.store.getText(packsHeadKey(remote.url.prefix)),
    readProtectedRefs(remote),
    readPackList(remote),
  ]);
  if (table.refs.length === 0 && !head) return [`no refs on ${remote.display}`];
  const named = head ? parsePacksHead(head.text) : undefined;
  const headLine = !named
    ? 'HEAD: missing'
    : table.refs.some((r) => r.ref === named)
      ? `HEAD: ${named}`
      : `HEAD: ${named}, which does not exist`;
  const rows = table.refs.map((r) => [r.sha.slice(0, SHORT_SHA), r.ref, protectedRefs.refs.has(r.ref) ? 'protected' : '']);
  return [headLine, ...formatColumns(rows), `${packs.names.length} pack${packs.names.length === 1 ? '' : 's'} (packs layout)`];
}

/** Removes a branch from the ref table with a conditional write (re-read and re-checked on a conflict). */
export async function deletePacksBranch(remote: Remote, input: string): Promise<DeletedBranch> {
  const branch = branchName(input);
  const ref = branchRef(branch);
  if ((await readProtectedRefs(remote)).refs.has(ref)) throw new ProtectedBranchError(branch, 'delete', remote.display);
  for (let attempt = 0; ; attempt++) {
    const table = await readRefTable(remote);
    const gone = table.refs.find((r) => r.ref === ref);
    if (!gone) throw new UsageError(`branch ${printable(branch)} does not exist on ${remote.display}`);
    const next = table.refs.filter((r) => r.ref !== ref);
    let etag: string;
    try {
      etag = (await commitRefTable(remote, table, next)).etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError) || attempt + 1 >= CONDITIONAL_ATTEMPTS) throw error;
      await backOff(attempt);
      continue;
    }
    // Its loose key goes too, or the branch comes back for readers of the bare repository (git, JGit).
    const known = withKnownPeels(next, await objectPeels(next.map((r) => r.sha)));
    await keepRefStoresInStep(remote, { etag, ...known }, [ref]).catch((error: unknown) =>
      log.warn(`${ref} is deleted, but ${(error as Error).message}; 'git s3 doctor --sync-refs ${remote.display}' finishes the job`),
    );
    const head = await remote.store.getText(packsHeadKey(remote.url.prefix));
    return { ref, sha: gone.sha, keys: [], wasHead: head ? parsePacksHead(head.text) === ref : false };
  }
}

export async function protectPacksBranch(remote: Remote, branch: string, protect: boolean): Promise<boolean> {
  return setProtected(remote, branchRef(branch), protect);
}

/** `doctor --set-head` on a packs remote: HEAD as a symbolic ref to an existing branch, if HEAD is still as read (`etag`). */
export async function setPacksHead(remote: Remote, refs: readonly RefRecord[], branch: string, etag: string | undefined): Promise<string> {
  const ref = branchRef(branch);
  if (!refs.some((r) => r.ref === ref)) throw new UsageError(`cannot point HEAD at ${ref}: there is no such branch on ${remote.display}`);
  await replaceHead(remote, formatPacksHead(ref), etag);
  return ref;
}

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

  const present = new Map(listing.objects.map((o) => [o.key, o.size]));
  const listed = new Set<string>();
  for (const name of packs?.names ?? []) {
    const keys = packKeys(prefix, name);
    listed.add(keys.pack).add(keys.idx);
    for (const key of [keys.pack, keys.idx]) {
      if (!present.has(key))
        findings.push({ problem: true, text: `${name} is listed but ${objectUrl(remote.store.bucket, key)} is missing` });
    }
  }
  const unlisted = listing.objects.filter((o) => !listed.has(o.key) && o.key.endsWith('.pack'));
  if (unlisted.length > 0) {
    const bytes = unlisted.reduce((n, o) => n + o.size, 0);
    findings.push({
      problem: false,
      text: `${unlisted.length} pack${unlisted.length === 1 ? '' : 's'} (${formatBytes(bytes)}) not in the pack list (an interrupted push, or retired by gc); 'git s3 gc' deletes them after its grace period`,
    });
  }
  // The copies readers of the bare repository (git, JGit) consult, compared only with a readable table.
  if (table) {
    const stores = await diagnoseRefStores(remote, table.etag === undefined ? undefined : refs, packedRefs?.text, syncRefs);
    findings.push(...stores.findings);
    fixed.push(...stores.fixed);
  }
  const total = (packs?.names ?? []).reduce((n, name) => n + (present.get(packKeys(prefix, name).pack) ?? 0), 0);
  findings.push({ problem: false, text: `${refs.length} refs, ${packs?.names.length ?? 0} packs (${formatBytes(total)})` });
  return { findings, fixed };
}

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
