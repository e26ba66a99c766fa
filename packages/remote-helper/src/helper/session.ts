// The helper's command loop: reads git's commands line by line, batches fetch and push lines until the
// blank line that ends them, and answers on stdout. Knows the protocol and the layout interface, never
// which layout it holds or how S3 is spoken.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { GitRemoteS3Error, UNSHALLOW_REMEDY } from '@git-remote-s3/core/errors';
import { log } from '@git-remote-s3/core/log';
import { objectFormat, objectTypes, revParseAll } from '@git-remote-s3/core/repo';
import type { FetchRequest, Layout, PushRequest, PushResult, Refusal, RemoteListing, SessionOptions } from '../layouts/layout.js';
import { objectFormatMismatch, refNameConflicts } from '../layouts/push-rules.js';
import { formatList, formatPushResult, parseCommand } from './protocol.js';

const CAPABILITIES = ['option', 'fetch', 'push', 'object-format'];

export interface SessionIo {
  readonly input: Readable;
  readonly output: Writable;
}

type PendingPush = { readonly src: string; readonly dst: string; readonly force: boolean };

/**
 * Told the commits a session moves: `HEAD` when git lists for a push (its pre-push hook, git-lfs's among
 * them, runs before the push reaches us), then those pushed or fetched, before git hears the answer.
 */
export type ContentHook = (revs: readonly string[]) => Promise<void>;

export async function runSession(io: SessionIo, openLayout: () => Promise<Layout>, onContent: ContentHook = async () => {}): Promise<void> {
  let layout: Layout | undefined;
  const getLayout = async () => {
    layout ??= await openLayout();
    return layout;
  };
  const options: SessionOptions = { progress: false, dryRun: false, atomic: false, verbosity: 1, cas: new Map() };
  let objectFormatOption = false;
  const shallowAsks = new Set<ShallowAsk>();
  // Said before the first command after git's options (a fetch --unshallow with nothing new sends no fetch).
  const sayShallowWarning = () => {
    const warning = shallowWarning(shallowAsks);
    if (warning) log.warnOnce(warning);
    shallowAsks.clear();
  };
  let fetches: FetchRequest[] = [];
  let pushes: PendingPush[] = [];
  /** What the last `list` showed git: a push is judged against it before anything is uploaded. */
  let listed: RemoteListing | undefined;
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      io.output.write(text, (error) => (error ? reject(error) : resolve()));
    });

  const lines = createInterface({ input: io.input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const command = parseCommand(line);
    log.trace(`< ${line}`);
    switch (command.kind) {
      case 'capabilities':
        await write(`${CAPABILITIES.join('\n')}\n\n`);
        break;
      case 'option':
        if (command.name === 'atomic') {
          // git asks after listing for push, so the layout is open; only one that commits all refs at once says ok.
          const atomic = (await getLayout()).atomic;
          options.atomic = atomic && command.value === 'true';
          await write(atomic ? 'ok\n' : 'unsupported\n');
        } else {
          await write(`${applyOption(options, command.name, command.value, () => (objectFormatOption = true), shallowAsks)}\n`);
        }
        break;
      case 'list': {
        sayShallowWarning();
        const listing = await (await getLayout()).list(command.forPush);
        listed = listing;
        if (command.forPush) await onContent(['HEAD']);
        await write(
          formatList(listing.refs, {
            head: listing.head,
            objectFormat: objectFormatOption ? listing.objectFormat : undefined,
            forPush: command.forPush,
          }),
        );
        break;
      }
      case 'fetch':
        fetches.push({ sha: command.sha, name: command.name });
        break;
      case 'push':
        pushes.push({ src: command.src, dst: command.dst, force: command.force });
        break;
      case 'end':
        sayShallowWarning();
        if (fetches.length > 0) {
          await (await getLayout()).fetch(fetches, options);
          await onContent(fetches.map((f) => f.sha));
          fetches = [];
          await write('\n');
        } else if (pushes.length > 0) {
          const results = await runPushes(await getLayout(), pushes, options, listed);
          const pushed = pushes.flatMap((p, i) => (results[i]?.ok && p.src ? [p.src] : []));
          if (!options.dryRun && pushed.length > 0) await onContent(pushed);
          pushes = [];
          await write(`${results.map(formatPushResult).join('\n')}\n\n`);
        } else {
          return; // a blank line outside a batch ends the session
        }
        break;
      case 'unknown':
        throw new GitRemoteS3Error('git-failed', `unknown command from git: '${command.line}'`);
    }
  }
}

/** Resolves each push source locally, then lets the layout push; a source git cannot resolve fails alone. */
async function runPushes(
  layout: Layout,
  pending: readonly PendingPush[],
  options: SessionOptions,
  listed: RemoteListing | undefined,
): Promise<PushResult[]> {
  const results: (PushResult | undefined)[] = [];
  const requests: PushRequest[] = [];
  const positions: number[] = [];
  // One git process resolves every source: a push of many refs would otherwise start one per ref.
  const resolved = await revParseAll(pending.flatMap((p) => (p.src === '' ? [] : [p.src])));
  let next = 0;
  for (const [i, p] of pending.entries()) {
    const sha = p.src === '' ? undefined : resolved[next++];
    if (p.src !== '' && sha === undefined) {
      results[i] = { ref: p.dst, ok: false, reason: 'no-source', message: `src refspec ${p.src} does not match any object` };
      continue;
    }
    requests.push({ sha, dst: p.dst, force: p.force, expect: options.cas.get(p.dst) });
    positions.push(i);
  }
  // A branch names a commit, as git's own ref store insists: a tree or blob pushed to one is refused here,
  // before any layout uploads it, on both layouts alike.
  const types = await objectTypes(requests.flatMap((r) => (r.sha && r.dst.startsWith('refs/heads/') ? [r.sha] : [])));
  // Nor does a push leave the remote unclonable: objects of another hash algorithm than the remote's, or
  // ref names where one is a path prefix of another (the packs layout re-checks the latter at commit).
  const mismatch = listed?.refs.length ? objectFormatMismatch(await objectFormat(), listed.objectFormat) : undefined;
  const conflicts = refNameConflicts(
    listed?.refs.map((r) => r.ref) ?? [],
    requests.map((r) => ({ ref: r.dst, sha: r.sha })),
  );
  const refusals = requests.map((r): Refusal | undefined => {
    const nonCommit = nonCommitBranchReason(r, types);
    if (nonCommit) return { reason: 'non-commit', message: nonCommit };
    if (r.sha && mismatch) return { reason: 'object-format', message: mismatch };
    const conflict = conflicts.get(r.dst);
    return conflict ? { reason: 'ref-name-conflict', message: conflict } : undefined;
  });
  for (const [j, refusal] of refusals.entries())
    if (refusal) results[positions[j] as number] = { ref: requests[j]?.dst ?? '', ok: false, ...refusal };
  const accepted = refusals.some((r) => r) && options.atomic ? [] : requests.filter((_, j) => !refusals[j]);
  const acceptedPositions = positions.filter((_, j) => !refusals[j]);
  const pushed = accepted.length > 0 ? await layout.push(accepted, options) : [];
  pushed.forEach((result, j) => {
    results[acceptedPositions[j] as number] = result;
  });
  options.cas.clear();
  return results.map(
    (r, i) => r ?? { ref: pending[i]?.dst ?? '', ok: false, reason: options.atomic ? 'atomic-push-failed' : 'not-pushed' },
  );
}

/**
 * Why a push of a non-commit object to a branch is refused (git's refs.c wording), or undefined when the
 * update is not one: a deletion, a ref outside refs/heads/, or a commit.
 */
export function nonCommitBranchReason(request: PushRequest, types: ReadonlyMap<string, string>): string | undefined {
  if (!request.sha || !request.dst.startsWith('refs/heads/')) return undefined;
  const type = types.get(request.sha);
  return type === undefined || type === 'commit'
    ? undefined
    : `trying to write non-commit object ${request.sha} to branch '${request.dst}'`;
}

/** The reply to `option <name> <value>`: `ok`, `unsupported`, or `error <why>`. */
export function applyOption(
  options: SessionOptions,
  name: string,
  value: string,
  enableObjectFormat: () => void,
  shallowAsks: Set<ShallowAsk> = new Set(),
): string {
  switch (name) {
    case 'verbosity': {
      const level = Number(value);
      if (!Number.isInteger(level)) return 'error verbosity must be a number';
      options.verbosity = level;
      if (level >= 2 && log.verbosity < 2) log.verbosity = 2;
      if (level <= 0 && log.verbosity === 1) log.verbosity = 0;
      return 'ok';
    }
    case 'progress':
      options.progress = value === 'true';
      return 'ok';
    case 'dry-run':
      options.dryRun = value === 'true';
      return 'ok';
    case 'object-format':
      enableObjectFormat();
      return 'ok';
    case 'depth':
    case 'deepen-since':
    case 'deepen-not':
    case 'deepen-relative': {
      // Unsupported, honestly: git clone ignores the answer without a word (git fetch says the option is
      // ignored), so the helper itself says what happens instead, once it has all of git's options.
      const ask = shallowAsk(name, value);
      if (ask) shallowAsks.add(ask);
      return 'unsupported';
    }
    case 'filter':
      // git ignores the answer and fetches through us anyway: every object comes, and we say so.
      if (value !== '') log.warnOnce(PARTIAL_CLONE_WARNING);
      return 'unsupported';
    case 'cas': {
      // `<ref>:<expected>`; an empty expected id means the ref must not exist yet.
      const colon = value.lastIndexOf(':');
      if (colon <= 0) return 'error cas wants <ref>:<object id>';
      const expected = value.slice(colon + 1);
      options.cas.set(value.slice(0, colon), /^0+$/.test(expected) ? '' : expected);
      return 'ok';
    }
    default:
      return 'unsupported';
  }
}

export const SHALLOW_FETCH_WARNING = 's3 remotes do not support shallow fetches; fetching full history';
export const UNSHALLOW_WARNING = `s3 remotes cannot deepen or unshallow a repository; ${UNSHALLOW_REMEDY}`;
export const PARTIAL_CLONE_WARNING = 's3 remotes do not support partial clones (--filter); fetching all objects';

/** git's INFINITE_DEPTH: `git fetch --unshallow` asks for this depth. */
const INFINITE_DEPTH = '2147483647';

/** A shallow-history request git made through `option`: a shallow fetch, or deepening an existing shallow clone. */
export type ShallowAsk = 'shallow' | 'deepen';

/**
 * What `option <name> <value>` asks for: --depth, --shallow-since and --shallow-exclude a shallow fetch;
 * --unshallow (depth INFINITE_DEPTH) and --deepen (deepen-relative) to deepen. `depth 0` is git turning
 * depth off again (before fetching the tags a fetch follows), not a request.
 */
export function shallowAsk(name: string, value: string): ShallowAsk | undefined {
  if (name === 'depth') return value === INFINITE_DEPTH ? 'deepen' : value !== '' && value !== '0' ? 'shallow' : undefined;
  if (name === 'deepen-relative') return value !== '' && value !== 'false' ? 'deepen' : undefined;
  return (name === 'deepen-since' || name === 'deepen-not') && value !== '' ? 'shallow' : undefined;
}

/** The one warning for git's requests (--deepen sends a depth, then deepen-relative: it is a deepen). */
export function shallowWarning(asks: ReadonlySet<ShallowAsk>): string | undefined {
  if (asks.has('deepen')) return UNSHALLOW_WARNING;
  return asks.has('shallow') ? SHALLOW_FETCH_WARNING : undefined;
}
