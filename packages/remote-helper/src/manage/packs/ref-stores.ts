// doctor's look at the ref stores of a packs remote that readers of the bare repository consult besides
// info/refs (the authority): packed-refs and the loose `refs/…` keys (JGit's). Names each disagreement with
// its key and both values, and with `--sync-refs` rewrites them from info/refs.
import {
  classifyRefsKey,
  infoRefsKey,
  objectUrl,
  packedRefsKey,
  parsePackedRefs,
  printable,
  type RefRecord,
  refsPrefix,
} from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { where } from '../../layouts/packs/bucket-url.js';
import { applyLooseRefPlan, readLooseRefs, writeDerivedPackedRefs } from '../../layouts/packs/loose-refs.js';
import {
  compareRefStores,
  type LooseRef,
  type PackedView,
  planLooseRefsSync,
  type RefStoreDisagreement,
} from '../../layouts/packs/ref-stores.js';

export interface RefStoreFinding {
  readonly problem: boolean;
  readonly text: string;
  readonly hint?: string;
}

const syncHint = (remote: Remote) => `run 'git s3 doctor --sync-refs ${remote.display}'`;

/**
 * Reads refs/ (one LIST, a GET per loose ref) and compares it and packed-refs (`packedText`) with `table`
 * (undefined: there is no info/refs, and nothing is rewritten from it); with `sync`, writes packed-refs and
 * the loose keys from the table when they disagree, and looks again.
 */
export async function diagnoseRefStores(
  remote: Remote,
  table: readonly RefRecord[] | undefined,
  packedText: string | undefined,
  sync: boolean,
): Promise<{ findings: RefStoreFinding[]; fixed: string[] }> {
  const first = await look(remote, table ?? [], packedText);
  if (table === undefined) return { findings: withoutAuthority(remote, first), fixed: [] };
  if (!sync || !first.outOfStep) return { findings: first.findings, fixed: [] };
  const plan = planLooseRefsSync(table, first.loose);
  await Promise.all([applyLooseRefPlan(remote, plan), writeDerivedPackedRefs(remote, table)]);
  const count = (n: number) => `${n} loose ref${n === 1 ? '' : 's'}`;
  const written = plan.write.length > 0 ? ` and ${count(plan.write.length)}` : '';
  const removed = plan.remove.length > 0 ? `; removed ${count(plan.remove.length)} of refs info/refs lacks` : '';
  const done = `done: rewrote packed-refs${written} from info/refs${removed}`;
  const again = await look(remote, table, (await remote.store.getText(packedRefsKey(remote.url.prefix)))?.text);
  return { findings: again.findings, fixed: [done] };
}

/**
 * Without info/refs this tool lists no ref, while packed-refs and loose keys may still name some: said as one
 * problem, and never "repaired" by deleting them.
 */
function withoutAuthority(
  remote: Remote,
  seen: { findings: RefStoreFinding[]; loose: LooseRef[]; packedRefs: readonly string[] },
): RefStoreFinding[] {
  const named = new Set([...seen.loose.map((l) => l.ref), ...seen.packedRefs]).size;
  if (named === 0) return seen.findings.filter((f) => f.hint !== syncHint(remote));
  return [
    ...seen.findings.filter((f) => f.hint !== syncHint(remote)),
    {
      problem: true,
      text: `${where(remote, infoRefsKey(remote.url.prefix))} is missing, but packed-refs and loose refs name ${named} ref${named === 1 ? '' : 's'}: this tool lists none of them`,
      hint: `restore info/refs from a backup or the bucket's versioning, or write it with 'git update-server-info' in a copy of the prefix`,
    },
  ];
}

async function look(
  remote: Remote,
  table: readonly RefRecord[],
  packedText: string | undefined,
): Promise<{ findings: RefStoreFinding[]; loose: LooseRef[]; packedRefs: string[]; outOfStep: boolean }> {
  const prefix = remote.url.prefix;
  const url = (key: string) => objectUrl(remote.store.bucket, key);
  const findings: RefStoreFinding[] = [];
  const { objects } = await remote.store.list(refsPrefix(prefix));
  const keys = objects.map((o) => classifyRefsKey(prefix, o.key, o.size));
  const bundleKeys = keys.filter((k) => k.kind === 'bundle-layout');
  if (bundleKeys.length > 0) {
    findings.push({
      problem: true,
      text: `${bundleKeys.length} key${bundleKeys.length === 1 ? '' : 's'} of the bundle layout under ${url(refsPrefix(prefix))} (${url(bundleKeys[0]?.key ?? '')}…): readers of the bare repository take them for broken refs`,
      hint: `run 'git s3 migrate ${remote.display} --to packs' (it removes the bundle layout's leftovers)`,
    });
  }
  for (const k of keys) {
    if (k.kind === 'invalid')
      findings.push({
        problem: true,
        text: `${url(k.key)} is not a ref (${k.reason})`,
        hint: `remove it if nothing else needs it: aws s3 rm ${url(k.key)}`,
      });
  }
  const loose = await readLooseRefs(
    remote,
    keys.flatMap((k) => (k.kind === 'loose' ? [{ ref: k.ref, key: k.key }] : [])),
  );
  let packed: PackedView | undefined;
  let corrupt = false;
  if (packedText !== undefined) {
    try {
      packed = parsePackedRefs(packedText, where(remote, packedRefsKey(prefix)));
    } catch (error) {
      findings.push({ problem: true, text: (error as Error).message, hint: syncHint(remote) });
      corrupt = true;
    }
  }
  const disagreements = compareRefStores(table, packed, loose).filter((d) => !(corrupt && d.kind === 'packed-missing'));
  for (const d of disagreements) findings.push({ problem: true, text: describe(d, remote), hint: syncHint(remote) });
  return { findings, loose, packedRefs: packed?.refs.map((r) => r.ref) ?? [], outOfStep: corrupt || disagreements.length > 0 };
}

const id = (sha: string | undefined) => sha ?? 'no object id';

function describe(d: RefStoreDisagreement, remote: Remote): string {
  const url = (key: string) => objectUrl(remote.store.bucket, key);
  const packedUrl = url(packedRefsKey(remote.url.prefix));
  switch (d.kind) {
    case 'loose-stale':
      return `loose ref ${url(d.key)} says ${id(d.loose)}, info/refs says ${d.table}: git and JGit reading the bucket see the loose value`;
    case 'loose-deleted':
      return `loose ref ${url(d.key)} says ${id(d.loose)}, info/refs has no ${printable(d.ref)}: git and JGit reading the bucket still see it`;
    case 'packed-missing':
      return `${packedUrl} is missing: git and JGit reading the bucket see only its loose refs`;
    case 'packed-stale':
      return `${packedUrl} says ${d.ref} is ${d.packed ?? 'absent'}, info/refs says ${d.table ?? 'absent'}`;
    case 'packed-peel':
      return d.packed
        ? `${packedUrl} peels annotated tag ${d.ref} to ${d.packed}, info/refs peels it to ${d.peeled}`
        : `${packedUrl} says annotated tag ${d.ref} does not peel, info/refs peels it to ${d.peeled}`;
  }
}
