// Key schema and text formats of the `packs` layout (DESIGN §4): git's own bare-repository layout in a
// bucket. Builds every key, and parses and writes `HEAD`, `info/refs`, `objects/info/packs` and
// `packed-refs` exactly as git writes them (`git update-server-info`, `git pack-refs`). Pure; names read
// from the bucket are checked before they can reach git.
import { CorruptObjectError, GitRemoteS3Error, printable, UnknownLayoutError } from '../errors.js';
import { isObjectId, isValidRefName } from './refname.js';

export const packsHeadKey = (prefix: string): string => `${prefix}/HEAD`;
export const infoRefsKey = (prefix: string): string => `${prefix}/info/refs`;
export const packListKey = (prefix: string): string => `${prefix}/objects/info/packs`;
export const packedRefsKey = (prefix: string): string => `${prefix}/packed-refs`;
export const packDirPrefix = (prefix: string): string => `${prefix}/objects/pack/`;
/** Our addition beside the ref table: the branches that refuse force pushes and deletion. */
export const protectedRefsKey = (prefix: string): string => `${prefix}/info/s3-protected`;
/** Our addition beside the pack list: packs `git s3 gc` took out of it, kept for readers until the grace period ends. */
export const retiredPacksKey = (prefix: string): string => `${prefix}/objects/info/s3-retired`;

const PACK_NAME = /^pack-([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * What to do about a damaged packs-layout text object: a forced push cannot help, since every push reads
 * it first. `git update-server-info` and `git pack-refs` in a good clone print the text it should hold.
 */
const PACKS_TEXT_REMEDY =
  "restore it from a backup or the bucket's versioning, or rewrite it as git writes it; 'git s3 doctor' checks the rest";

/** `pack-<checksum>` → its `.pack` and `.idx` keys; anything else is refused. */
export function packKeys(prefix: string, name: string): { pack: string; idx: string } {
  if (!PACK_NAME.test(name)) throw new CorruptObjectError(`${prefix}/objects/pack/${name}`, 'not a pack name (pack-<checksum>)');
  return { pack: `${packDirPrefix(prefix)}${name}.pack`, idx: `${packDirPrefix(prefix)}${name}.idx` };
}

/**
 * Which layout a remote uses, from its `HEAD` text: `ref: …` is git's own (packs), a bare ref name is
 * awslabs' (bundle), anything else neither (ciphertext of a remote JGit encrypts, a stray file); undefined
 * when there is no HEAD.
 */
export function layoutOfHead(text: string | undefined): 'packs' | 'bundle' | 'unknown' | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('ref: ')) return 'packs';
  const name = text.trim();
  return name.startsWith('refs/') && isValidRefName(name) ? 'bundle' : 'unknown';
}

/**
 * `layoutOfHead` for a reader that acts on the answer: a HEAD of neither form is refused, never guessed
 * (taken for the bundle layout it would clone as empty). `remote` and `headUrl` name it in the refusal.
 */
export function knownLayoutOfHead(text: string | undefined, remote: string, headUrl: string): 'packs' | 'bundle' | undefined {
  const layout = layoutOfHead(text);
  if (layout === 'unknown') throw new UnknownLayoutError(remote, headUrl, text ?? '');
  return layout;
}

export function formatPacksHead(branchRef: string): string {
  return `ref: ${branchRef}\n`;
}

/** The ref a packs-layout HEAD points to, or undefined when it is not a valid symbolic ref. */
export function parsePacksHead(text: string): string | undefined {
  const m = /^ref: (\S+)\s*$/.exec(text);
  return m?.[1] && isValidRefName(m[1]) ? m[1] : undefined;
}

export interface RefRecord {
  readonly ref: string;
  readonly sha: string;
  /** For an annotated tag: the object it peels to. */
  readonly peeled?: string;
}

/**
 * What `git s3 migrate --to bundle` leaves in info/refs, with a conditional write, just before deleting the
 * packs layout: a packs pusher that read the table before can then no longer commit to it unseen.
 */
export const MOVED_TABLE = '# this repository moved to the bundle layout (git s3 migrate)\n';

/** `info/refs` as `git update-server-info` writes it: `<sha>\t<ref>`, sorted, tags followed by `^{}` lines. */
export function formatInfoRefs(refs: readonly RefRecord[]): string {
  return [...refs]
    .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))
    .map((r) => `${r.sha}\t${r.ref}\n${r.peeled ? `${r.peeled}\t${r.ref}^{}\n` : ''}`)
    .join('');
}

/** Reads `info/refs`; `where` names the object in errors. Every ref name and id is checked. */
export function parseInfoRefs(text: string, where: string): RefRecord[] {
  if (text === MOVED_TABLE) {
    throw new GitRemoteS3Error(
      'migration-aborted',
      `${where} was closed by 'git s3 migrate --to bundle': nothing was updated; push again`,
      { where },
    );
  }
  const refs: RefRecord[] = [];
  // A set, not a search of `refs`: a table of 10,000 refs is checked in linear time.
  const seen = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]+)\t(.+)$/.exec(line);
    if (!m?.[1] || !m[2] || !isObjectId(m[1]))
      throw new CorruptObjectError(where, `line ${i + 1} is not '<object id><TAB><ref>'`, PACKS_TEXT_REMEDY);
    const [, sha, name] = m;
    if (name.endsWith('^{}')) {
      const last = refs[refs.length - 1];
      if (!last || last.ref !== name.slice(0, -3) || last.peeled)
        throw new CorruptObjectError(where, `line ${i + 1} peels a ref that does not precede it`, PACKS_TEXT_REMEDY);
      refs[refs.length - 1] = { ...last, peeled: sha };
      continue;
    }
    if (!isValidRefName(name))
      throw new CorruptObjectError(where, `line ${i + 1} names an invalid ref '${printable(name)}'`, PACKS_TEXT_REMEDY);
    if (seen.has(name)) throw new CorruptObjectError(where, `${name} is listed twice`, PACKS_TEXT_REMEDY);
    seen.add(name);
    refs.push({ ref: name, sha });
  }
  return refs;
}

/**
 * `packed-refs` as `git pack-refs --all` writes it, for tools that read the prefix as a bare repository.
 * `fullyPeeled`: every annotated tag among `refs` carries its peeled id, so a ref without one does not peel
 * (the `peeled fully-peeled` traits say so to git). Without it the header claims nothing and readers peel
 * such refs themselves from the objects: a tag listed without its peeled id (JGit writes info/refs so) is
 * never declared not to peel.
 */
export function formatPackedRefs(refs: readonly RefRecord[], fullyPeeled: boolean): string {
  const lines = [fullyPeeled ? '# pack-refs with: peeled fully-peeled sorted ' : '# pack-refs with: sorted '];
  for (const r of [...refs].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))) {
    lines.push(`${r.sha} ${r.ref}`);
    if (r.peeled) lines.push(`^${r.peeled}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface PackedRefs {
  readonly refs: RefRecord[];
  /** Whether a ref listed without a `^` line is declared not to peel (git's `fully-peeled`, or `peeled` for refs/tags/). */
  readonly declaresUnpeeled: (ref: string) => boolean;
}

/** Reads `packed-refs` (git's, JGit's or ours); `where` names the object in errors. Every ref name and id is checked. */
export function parsePackedRefs(text: string, where: string): PackedRefs {
  const refs: RefRecord[] = [];
  const seen = new Set<string>();
  let traits: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (i === 0 && line.startsWith('# pack-refs with:')) traits = line.slice('# pack-refs with:'.length).trim().split(/\s+/);
      continue;
    }
    const last = refs[refs.length - 1];
    if (line.startsWith('^')) {
      if (!last || last.peeled || !isObjectId(line.slice(1)))
        throw new CorruptObjectError(where, `line ${i + 1} is not '^<object id>' after a ref`, PACKS_TEXT_REMEDY);
      refs[refs.length - 1] = { ...last, peeled: line.slice(1) };
      continue;
    }
    const m = /^([0-9a-f]+) (.+)$/.exec(line);
    if (!m?.[1] || !m[2] || !isObjectId(m[1]) || !isValidRefName(m[2]))
      throw new CorruptObjectError(where, `line ${i + 1} is not '<object id> <ref>'`, PACKS_TEXT_REMEDY);
    if (seen.has(m[2])) throw new CorruptObjectError(where, `${m[2]} is listed twice`, PACKS_TEXT_REMEDY);
    seen.add(m[2]);
    refs.push({ ref: m[2], sha: m[1] });
  }
  const fully = traits.includes('fully-peeled');
  const tags = traits.includes('peeled');
  return { refs, declaresUnpeeled: (ref) => fully || (tags && ref.startsWith('refs/tags/')) };
}

/** `objects/info/packs`: `P pack-<checksum>.pack` per live pack, then a blank line, as git writes it. */
export function formatPackList(names: readonly string[]): string {
  return `${names.map((n) => `P ${n}.pack\n`).join('')}\n`;
}

export function parsePackList(text: string, where: string): string[] {
  const names = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^P (pack-[0-9a-f]+)\.pack$/.exec(line);
    if (!m?.[1] || !PACK_NAME.test(m[1]))
      throw new CorruptObjectError(where, `line ${i + 1} is not 'P pack-<checksum>.pack'`, PACKS_TEXT_REMEDY);
    names.add(m[1]);
  }
  return [...names];
}

/** `info/s3-protected`: one protected branch ref per line, sorted. */
export function formatProtectedRefs(refs: Iterable<string>): string {
  return [...new Set(refs)]
    .sort()
    .map((r) => `${r}\n`)
    .join('');
}

export function parseProtectedRefs(text: string, where: string): Set<string> {
  const refs = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (!line.startsWith('refs/heads/') || !isValidRefName(line))
      throw new CorruptObjectError(where, `line ${i + 1} is not a branch ref`, PACKS_TEXT_REMEDY);
    refs.add(line);
  }
  return refs;
}

/** A file git keeps beside a pack (`pack-<checksum>.<extension>`) under objects/pack/. */
export interface PackFile {
  readonly name: string;
  readonly extension: string;
}

const PACK_FILE = /^(pack-(?:[0-9a-f]{40}|[0-9a-f]{64}))\.(pack|idx|rev|bitmap|keep|promisor|mtimes)$/;

/** The pack a key under objects/pack/ belongs to; undefined for any other key (never touched). */
export function parsePackFileKey(prefix: string, key: string): PackFile | undefined {
  const dir = packDirPrefix(prefix);
  if (!key.startsWith(dir)) return undefined;
  const m = PACK_FILE.exec(key.slice(dir.length));
  return m?.[1] && m[2] ? { name: m[1], extension: m[2] } : undefined;
}

export interface RetiredPack {
  readonly name: string;
  /** When it left the pack list (the server's clock); readers that listed it before may still read it. */
  readonly retiredAt: Date;
}

/** `objects/info/s3-retired`: `<ISO time>\t<pack name>` per retired pack, oldest first, one line per pack. */
export function formatRetiredPacks(packs: readonly RetiredPack[]): string {
  return latestPerName(packs)
    .sort((a, b) => a.retiredAt.getTime() - b.retiredAt.getTime() || (a.name < b.name ? -1 : 1))
    .map((p) => `${p.retiredAt.toISOString()}\t${p.name}\n`)
    .join('');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Reads `objects/info/s3-retired`; a pack named twice keeps its latest time (the later deletion wins). */
export function parseRetiredPacks(text: string, where: string): RetiredPack[] {
  const packs: RetiredPack[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const [time = '', name = '', ...rest] = line.split('\t');
    const retiredAt = new Date(time);
    if (rest.length > 0 || !ISO_TIME.test(time) || Number.isNaN(retiredAt.getTime()) || !PACK_NAME.test(name)) {
      throw new CorruptObjectError(
        where,
        `line ${i + 1} is not '<ISO time><TAB>pack-<checksum>'`,
        'delete it once no clone or fetch begun before the last gc is still running (gc then judges its packs by age, as orphans)',
      );
    }
    packs.push({ name, retiredAt });
  }
  return latestPerName(packs);
}

function latestPerName(packs: readonly RetiredPack[]): RetiredPack[] {
  const latest = new Map<string, RetiredPack>();
  for (const p of packs) {
    const seen = latest.get(p.name);
    if (!seen || seen.retiredAt < p.retiredAt) latest.set(p.name, p);
  }
  return [...latest.values()];
}
