import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CorruptObjectError, NetworkError, shareTerminal } from '@git-remote-s3/core';
import { afterAll, describe, expect, it } from 'vitest';
import { indexPackStream } from './index-pack.js';

const root = mkdtempSync(join(tmpdir(), 'index-pack-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WHERE = 's3://b/repo/objects/pack/pack-x.pack';

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('git', args, { cwd, ...(input ? { input } : {}) });
}

/** A repository with one commit, and a pack of it. */
function source(): { pack: Buffer; sha: string } {
  const dir = join(root, 'source');
  execFileSync('git', ['init', '-q', dir]);
  git(dir, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'one']);
  const sha = git(dir, ['rev-parse', 'HEAD']).toString().trim();
  return { pack: git(dir, ['pack-objects', '--stdout', '-q'], Buffer.from(`${sha}\n`)), sha };
}

function target(name: string): string {
  const dir = join(root, name);
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

describe('indexPackStream', () => {
  const { pack, sha } = source();

  it('indexes a whole pack into the repository', async () => {
    const cwd = target('whole');
    await indexPackStream(Readable.from([pack]), WHERE, { cwd });
    expect(git(cwd, ['cat-file', '-t', sha]).toString().trim()).toBe('commit');
  });

  it("reports a pack git refuses as corrupt, with git's last line", async () => {
    const attempt = indexPackStream(Readable.from([Buffer.from('not a pack at all, not even close')]), WHERE, { cwd: target('junk') });
    await expect(attempt).rejects.toBeInstanceOf(CorruptObjectError);
    await expect(attempt).rejects.toThrow(/git index-pack rejected it \(fatal: .+\)/);
  });

  it('reports bytes after the end of the pack as corrupt', async () => {
    const attempt = indexPackStream(Readable.from([pack, Buffer.alloc(256 * 1024, 1)]), WHERE, { cwd: target('trailing') });
    await expect(attempt).rejects.toThrow(new CorruptObjectError(WHERE, 'data follows the end of its pack'));
  });

  it('reports a download that broke as itself, not as a corrupt pack', async () => {
    const broken = new NetworkError('http://s3', 'ECONNRESET');
    const body = Readable.from(
      (async function* () {
        yield pack.subarray(0, 20);
        throw broken;
      })(),
    );
    await expect(indexPackStream(body, WHERE, { cwd: target('broken') })).rejects.toBe(broken);
  });

  it("shows index-pack's own meters on the terminal it is given", async () => {
    const shown: string[] = [];
    const cwd = target('meters');
    await indexPackStream(
      Readable.from([pack]),
      WHERE,
      { cwd },
      [],
      shareTerminal((t) => shown.push(t)),
    );
    expect(shown.join('')).toMatch(/^Receiving objects: 100% \(1\/1\)(, .*)?, done\.\n$/m);
    expect(git(cwd, ['cat-file', '-t', sha]).toString().trim()).toBe('commit');
  });

  it("reports git's last line without its meters when it refuses a pack it was showing progress for", async () => {
    // The commit and its tree, cut inside the tree: index-pack has drawn `50% (1/2)` when it dies.
    const dir = join(root, 'source');
    const both = git(dir, ['pack-objects', '--stdout', '--revs', '-q'], Buffer.from(`${sha}\n`));
    const attempt = indexPackStream(
      Readable.from([both.subarray(0, both.length - 25)]),
      WHERE,
      { cwd: target('cut') },
      [],
      shareTerminal(() => {}),
    );
    await expect(attempt).rejects.toThrow(/git index-pack rejected it \(fatal: [^\r\n%()]+\);/);
  });
});
