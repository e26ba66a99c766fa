// Which layout a remote uses. An existing remote's layout always comes from the bucket (bundles under
// refs/, or a HEAD whose text starts with `ref: ` and an info/ table for git's own layout); configuration
// and the URL scheme only decide for a remote that has nothing yet.
import { headKey, infoRefsKey, type Layout as LayoutName, layoutOfHead, refsPrefix } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { BundleLayout } from './bundle/bundle-layout.js';
import type { Layout } from './layout.js';
import { PacksLayout } from './packs/packs-layout.js';

/** The layout of a remote with no HEAD: packs for amazon-s3://, else what git config says, else bundle. */
export function layoutForNewRemote(scheme: string, configured: LayoutName | undefined): LayoutName {
  return scheme === 'amazon-s3' ? 'packs' : (configured ?? 'bundle');
}

/**
 * Opens the remote's layout with as few requests as the usual case allows: the expected layout's own
 * first read tells (the refs listing for bundle, HEAD for packs); only a remote that shows nothing there
 * costs one more look (a delimited listing of the prefix: `refs/` means bundle, `info/` means packs).
 */
export async function openLayout(remote: Remote): Promise<Layout> {
  const prefix = remote.url.prefix;
  const expected = layoutForNewRemote(remote.url.scheme, remote.settings.layout);
  if (expected === 'bundle') {
    const refs = await remote.store.list(refsPrefix(prefix));
    if (refs.objects.length > 0) return new BundleLayout(remote, refs);
    const found = await topLevel(remote);
    return found === 'packs' ? new PacksLayout(remote) : new BundleLayout(remote, refs);
  }
  const head = await remote.store.getText(headKey(prefix));
  const byHead = layoutOfHead(head?.text);
  if (byHead === 'packs') return new PacksLayout(remote, head?.text);
  if (byHead === 'bundle') return new BundleLayout(remote);
  return (await topLevel(remote)) === 'bundle' ? new BundleLayout(remote) : new PacksLayout(remote);
}

async function topLevel(remote: Remote): Promise<LayoutName | undefined> {
  const { commonPrefixes } = await remote.store.list(`${remote.url.prefix}/`, '/');
  if (commonPrefixes.includes(`${remote.url.prefix}/info/`)) return 'packs';
  if (commonPrefixes.includes(`${remote.url.prefix}/refs/`)) return 'bundle';
  return undefined;
}
