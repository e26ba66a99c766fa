// The git bundle file format (v2, and v3 for SHA-256), streamed both ways: a bundle is written as a header
// followed by `git pack-objects` output, and read by splitting the header off and feeding the pack to
// `git index-pack --stdin`. Nothing holds a whole bundle in memory.
import { PassThrough, type Readable } from 'node:stream';
import { CorruptObjectError, isObjectId, isValidRefName, spawnGit } from '@git-remote-s3/core';

export interface BundleHeader {
  readonly version: 2 | 3;
  readonly objectFormat: 'sha1' | 'sha256';
  readonly refs: readonly { readonly sha: string; readonly ref: string }[];
  /** Objects the pack assumes present (`-<sha>` lines); empty for the self-contained bundles we write. */
  readonly prerequisites: readonly string[];
}

const MAX_HEADER = 1024 * 1024;

export function formatBundleHeader(sha: string, ref: string): string {
  return sha.length === 64 ? `# v3 git bundle\n@object-format=sha256\n${sha} ${ref}\n\n` : `# v2 git bundle\n${sha} ${ref}\n\n`;
}

/** Parses header text (without the blank line that ends it); `where` names the object in errors. */
export function parseBundleHeader(text: string, where: string): BundleHeader {
  const lines = text.split('\n');
  const signature = lines.shift();
  const version = signature === '# v2 git bundle' ? 2 : signature === '# v3 git bundle' ? 3 : undefined;
  if (!version) throw new CorruptObjectError(where, 'it is not a git bundle (bad signature)');
  let objectFormat: 'sha1' | 'sha256' = 'sha1';
  const refs: { sha: string; ref: string }[] = [];
  const prerequisites: string[] = [];
  for (const line of lines) {
    if (line.startsWith('@')) {
      if (version !== 3) throw new CorruptObjectError(where, 'a v2 bundle with a capability line');
      const [key, value] = line.slice(1).split('=');
      if (key !== 'object-format') {
        // git refuses capabilities it does not know (a filtered bundle is incomplete): so do we.
        throw new CorruptObjectError(where, `it needs the unsupported bundle capability '${key}'`);
      }
      if (value !== 'sha1' && value !== 'sha256') throw new CorruptObjectError(where, `unknown object format '${value}'`);
      objectFormat = value;
      continue;
    }
    if (line.startsWith('-')) {
      const sha = line.slice(1).split(' ')[0] ?? '';
      if (!isObjectId(sha)) throw new CorruptObjectError(where, 'a malformed prerequisite line');
      prerequisites.push(sha);
      continue;
    }
    const space = line.indexOf(' ');
    const sha = line.slice(0, space);
    const ref = line.slice(space + 1);
    // git bundles may name HEAD as well as full refs; anything else is not from git.
    if (space <= 0 || !isObjectId(sha) || !(ref === 'HEAD' || isValidRefName(ref))) {
      throw new CorruptObjectError(where, 'a malformed ref line in the bundle header');
    }
    refs.push({ sha, ref });
  }
  return { version, objectFormat, refs, prerequisites };
}

/**
 * Splits a bundle stream into its parsed header and the pack that follows, without buffering the pack:
 * bytes after the header flow through as they arrive.
 */
export async function splitBundle(source: Readable, where: string): Promise<{ header: BundleHeader; pack: Readable }> {
  const pack = new PassThrough({ highWaterMark: 1024 * 1024 });
  let head = Buffer.alloc(0);
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new CorruptObjectError(where, 'it ends inside the bundle header (truncated)');
    head = Buffer.concat([head, next.value as Buffer]);
    const end = head.indexOf('\n\n');
    if (end >= 0) {
      const header = parseBundleHeader(head.subarray(0, end).toString('utf8'), where);
      const first = head.subarray(end + 2);
      void (async () => {
        try {
          if (first.length > 0 && !pack.write(first)) await onceDrain(pack);
          for (;;) {
            const chunk = await iterator.next();
            if (chunk.done) break;
            if (!pack.write(chunk.value as Buffer)) await onceDrain(pack);
          }
          pack.end();
        } catch (error) {
          pack.destroy(error as Error);
        }
      })();
      return { header, pack };
    }
    if (head.length > MAX_HEADER) throw new CorruptObjectError(where, 'its header is larger than 1 MiB');
  }
}

function onceDrain(stream: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('pack consumer closed'));
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

export interface BundleWriter {
  /** The bundle bytes: the header, then the pack as git writes it. */
  readonly stream: Readable;
  /** Settles when git has finished; rejects with GitFailedError if pack-objects failed. */
  readonly done: Promise<number>;
  /** Bytes of the bundle written so far: its whole size once `done` has settled. */
  readonly written: () => number;
}

/**
 * Streams a self-contained bundle of everything reachable from `sha`, advertising it as `ref`: the same
 * bytes `git bundle create` writes, but for any ref name and object id (HEAD:refs/heads/x, a raw sha).
 */
export function writeBundle(
  sha: string,
  ref: string,
  options: { cwd?: string; progress: boolean; onPackStart?: () => void; stderr?: { write(chunk: Buffer): void } },
): BundleWriter {
  // With --stdout, pack-objects shows its counting and compressing meters but not its writing one: the
  // upload's meter (onPackStart: the first pack byte, after git's meters) stands for it, as in git push.
  const args = ['pack-objects', '--stdout', '--revs', '--delta-base-offset', options.progress ? '--progress' : '-q'];
  const stderr = options.progress ? (options.stderr ?? 'inherit') : 'capture';
  const git = spawnGit(args, { ...(options.cwd ? { cwd: options.cwd } : {}), stderr });
  git.stdin.end(`${sha}\n`);
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const header = formatBundleHeader(sha, ref);
  let written = Buffer.byteLength(header);
  out.write(header);
  if (options.onPackStart) git.stdout.once('data', options.onPackStart);
  git.stdout.on('data', (chunk: Buffer) => {
    written += chunk.length;
  });
  // Ended only once git has succeeded: a pack-objects that dies (a partial clone's missing objects) must
  // fail the upload, never complete it with a truncated bundle.
  git.stdout.pipe(out, { end: false });
  git.done.then(
    () => out.end(),
    (error: unknown) => out.destroy(error as Error),
  );
  return { stream: out, done: git.done, written: () => written };
}
