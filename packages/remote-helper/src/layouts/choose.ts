// Which layout a remote uses. An existing remote's layout always comes from the bucket (bundles under
// refs/, or a HEAD whose text starts with `ref: ` and an info/ table for git's own layout); configuration
// and the URL scheme only decide for a remote that has nothing yet. A HEAD of neither layout's form is refused.
import { headKey, knownLayoutOfHead, type LayoutName, objectUrl, refsPrefix } from '@git-remote-s3/core';
import type { Remote } from '@git-remote-s3/core/remote';
import { BundleLayout } from './bundle/bundle-layout.js';
import type { Layout } from './layout.js';
import { PacksLayout } from './packs/packs-layout.js';

/**
 * The layout of a remote with nothing in it yet: packs for amazon-s3://, bundle for s3+zip:// (its
 * repo.zip for CodePipeline sits beside each ref's bundle), else what git config says, else bundle.
 */
export function layoutForNewRemote(scheme: string, configured: LayoutName | undefined): LayoutName {
  if (scheme === 'amazon-s3') return 'packs';
  if (scheme === 's3+zip') return 'bundle';
  return configured ?? 'bundle';
}

export interface OpenedLayout {
  readonly layout: Layout;
  /** What the bucket shows; undefined for an empty remote (whose first push creates `expected`). */
  readonly found: LayoutName | undefined;
  /** What configuration and the URL scheme expected, and so looked at first. */
  readonly expected: LayoutName;
}

/**
 * Opens the remote's layout with as few requests as the usual case allows: the expected layout's own
 * first reads tell (the refs listing and HEAD for bundle, HEAD for packs; a HEAD of `ref: …` always means
 * packs); only a remote that shows nothing there costs one more look (a delimited listing of the prefix:
 * `refs/` means bundle, `info/` means packs, once a listing of it shows an object). A HEAD of neither form
 * (ciphertext of a remote JGit encrypts) is refused with UnknownLayoutError: every command opens its remote
 * here, so none reads it as empty.
 */
export async function detectLayout(remote: Remote): Promise<OpenedLayout> {
  const prefix = remote.url.prefix;
  const expected = layoutForNewRemote(remote.url.scheme, remote.settings.layout);
  const opened = (layout: Layout, found: LayoutName | undefined): OpenedLayout => ({ layout, found, expected });
  const layoutOfHead = (text: string | undefined) =>
    knownLayoutOfHead(text, remote.display, objectUrl(remote.store.bucket, headKey(prefix)));
  if (expected === 'bundle') {
    // HEAD decides when it says packs, even with keys under refs/ (a migration's leftovers, or a bundle
    // pusher that raced one): read beside the refs listing, it costs no time, and a fetch needs it anyway.
    const [refs, head] = await Promise.all([remote.store.list(refsPrefix(prefix)), remote.store.getText(headKey(prefix))]);
    if (layoutOfHead(head?.text) === 'packs') return opened(new PacksLayout(remote, head?.text), 'packs');
    if (refs.objects.length > 0 || head) return opened(new BundleLayout(remote, refs, head ?? null), 'bundle');
    const found = await topLevel(remote);
    return found === 'packs' ? opened(new PacksLayout(remote), found) : opened(new BundleLayout(remote, refs, null), found);
  }
  const head = await remote.store.getText(headKey(prefix));
  const byHead = layoutOfHead(head?.text);
  if (byHead === 'packs') return opened(new PacksLayout(remote, head?.text), 'packs');
  if (byHead === 'bundle') return opened(new BundleLayout(remote, undefined, head ?? null), 'bundle');
  const found = await topLevel(remote);
  // HEAD was read above and there is none: the layout knows it without asking again (a push then writes it).
  if (found === 'bundle') return opened(new BundleLayout(remote, undefined, null), found);
  // Nothing at all under the prefix: the first listing need not ask for an info/refs that is not there.
  return opened(new PacksLayout(remote, undefined, found === undefined), found);
}

export async function openLayout(remote: Remote): Promise<Layout> {
  return (await detectLayout(remote)).layout;
}

/**
 * `refs/` means bundle, `info/` means packs, but only while something is in it: stores built on a file
 * system (SeaweedFS) keep listing a "directory" after its last object is deleted, so a prefix someone
 * wiped would otherwise keep its old layout. The extra listing happens only for a HEAD-less remote.
 */
async function topLevel(remote: Remote): Promise<LayoutName | undefined> {
  const prefix = remote.url.prefix;
  const { commonPrefixes } = await remote.store.list(`${prefix}/`, '/');
  for (const [dir, layout] of [
    [`${prefix}/info/`, 'packs'],
    [`${prefix}/refs/`, 'bundle'],
  ] as const) {
    if (commonPrefixes.includes(dir) && (await remote.store.list(dir)).objects.length > 0) return layout;
  }
  return undefined;
}
