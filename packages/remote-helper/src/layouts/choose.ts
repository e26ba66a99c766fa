// Which layout a remote uses. An existing remote's layout always comes from the bucket (bundles under
// refs/, or a HEAD whose text starts with `ref: ` and an info/ table for git's own layout); configuration
// and the URL scheme only decide for a remote that has nothing yet. A HEAD of neither layout's form is refused.
import { headKey, knownLayoutOfHead, type LayoutName, type ListResult, objectUrl, refsPrefix } from '@git-remote-s3/core';
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
  /** `<prefix>/HEAD` as read while deciding (its ETag for a conditional rewrite); undefined when there is none. */
  readonly head: { readonly text: string; readonly etag: string } | undefined;
  /** The listing of `<prefix>/refs/` when deciding read it (a bundle remote is expected), for a caller to reuse. */
  readonly refs: ListResult | undefined;
}

export interface LayoutEvidence {
  /** The text of `<prefix>/HEAD`; undefined when there is none. */
  readonly headText: string | undefined;
  /** Whether `<prefix>/refs/` holds an object (a bundle, a lock, a marker: the bundle layout's directory). */
  readonly hasBundles: boolean;
  /** Whether `<prefix>/info/` holds an object (the packs layout's ref table and lists). */
  readonly hasRefTable: boolean;
  /** The layout configuration and the URL scheme expect; it wins when both directories hold keys. Default bundle. */
  readonly expected?: LayoutName;
}

/**
 * The rules, the same for every caller (the helper, list, doctor, gc, migrate). HEAD decides when there is
 * one, because a migration rewrites it last, once the target is complete: keys of the other layout beside it
 * are leftovers, never the repository; a HEAD of neither form is refused (UnknownLayoutError, naming
 * `names.remote` and `names.headUrl`). Without a HEAD (a push that died before writing it), keys under refs/
 * mean bundle and keys under info/ packs; with both, the expected layout. Nothing: an empty remote.
 */
export function layoutOfRemote(
  evidence: LayoutEvidence,
  names: { readonly remote: string; readonly headUrl: string },
): LayoutName | undefined {
  const byHead = knownLayoutOfHead(evidence.headText, names.remote, names.headUrl);
  if (byHead) return byHead;
  const shows = (layout: LayoutName) => (layout === 'bundle' ? evidence.hasBundles : evidence.hasRefTable);
  const expected = evidence.expected ?? 'bundle';
  return [expected, otherLayout(expected)].find(shows);
}

const otherLayout = (layout: LayoutName): LayoutName => (layout === 'bundle' ? 'packs' : 'bundle');

/**
 * Opens the remote's layout with as few requests as the usual case allows: the expected layout's own
 * first reads tell (the refs listing and HEAD for bundle, HEAD for packs; a HEAD of `ref: …` always means
 * packs); only a remote that shows nothing there costs one more look (a delimited listing of the prefix:
 * `refs/` means bundle, `info/` means packs, once a listing of it shows an object). A HEAD of neither form
 * (ciphertext of a remote JGit encrypts) is refused with UnknownLayoutError: every command opens its remote
 * here, so none reads it as empty. The decision is layoutOfRemote's.
 */
export async function detectLayout(remote: Remote): Promise<OpenedLayout> {
  const prefix = remote.url.prefix;
  const expected = layoutForNewRemote(remote.url.scheme, remote.settings.layout);
  const names = { remote: remote.display, headUrl: objectUrl(remote.store.bucket, headKey(prefix)) };
  // HEAD decides when it says packs, even with keys under refs/ (a migration's leftovers, or a bundle
  // pusher that raced one): read beside the refs listing, it costs no time, and a fetch needs it anyway.
  const [refs, head] = await Promise.all([
    expected === 'bundle' ? remote.store.list(refsPrefix(prefix)) : undefined,
    remote.store.getText(headKey(prefix)),
  ]);
  const opened = (layout: Layout, found: LayoutName | undefined): OpenedLayout => ({ layout, found, expected, head, refs });
  // The expected layout's own keys win over the other's: when they are there, the other is not looked for.
  const own = (refs?.objects.length ?? 0) > 0;
  const top = head || own ? { bundle: own, packs: false } : await topLevel(remote);
  const found = layoutOfRemote({ headText: head?.text, hasBundles: top.bundle, hasRefTable: top.packs, expected }, names);
  if (found === 'packs') return opened(new PacksLayout(remote, head?.text, false), found);
  if (found === 'bundle') return opened(new BundleLayout(remote, refs, head ?? null), found);
  // Nothing at all under the prefix: a packs layout's first listing need not ask for an info/refs that is not there.
  return opened(expected === 'bundle' ? new BundleLayout(remote, refs, null) : new PacksLayout(remote, undefined, true), found);
}

/**
 * Whether `refs/` (bundle) and `info/` (packs) hold anything, but only while something is in them: stores
 * built on a file system (SeaweedFS) keep listing a "directory" after its last object is deleted, so a
 * prefix someone wiped would otherwise keep its old layout. Asked only of a HEAD-less remote whose expected
 * layout's own look found nothing; `info/` is looked into first, and `refs/` only when it is empty.
 */
async function topLevel(remote: Remote): Promise<{ readonly bundle: boolean; readonly packs: boolean }> {
  const prefix = remote.url.prefix;
  const { commonPrefixes } = await remote.store.list(`${prefix}/`, '/');
  const holds = async (dir: string) => commonPrefixes.includes(dir) && (await remote.store.list(dir)).objects.length > 0;
  if (await holds(`${prefix}/info/`)) return { bundle: false, packs: true };
  return { bundle: await holds(`${prefix}/refs/`), packs: false };
}
