// `list` on a packs-layout remote: HEAD, a row per ref of info/refs with `protected` where it applies, and
// the number of packs.
import { packsHeadKey, parsePacksHead } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { readRefTable } from '../../layouts/packs/info-refs.js';
import { readPackList } from '../../layouts/packs/pack-list.js';
import { readProtectedRefs } from '../../layouts/packs/protected-refs.js';
import { formatColumns } from '../columns.js';

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
