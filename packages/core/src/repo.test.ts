import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { revParse, revParseAll } from './repo.js';

const dir = mkdtempSync(join(tmpdir(), 'git-remote-s3-repo-test-'));
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@e',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@e',
};
const run = (...args: string[]) => execFileSync('git', args, { cwd: dir, env }).toString().trim();
run('init', '-q', '-b', 'main');
run('commit', '-q', '--allow-empty', '-m', 'one');
run('tag', '-a', '-m', 'annotated', 'v1');
const o = { cwd: dir, env };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('revParseAll', () => {
  it('answers each rev as revParse does, in order, from one git process for those git can resolve', async () => {
    const absent = 'f'.repeat(40);
    const revs = ['main', 'refs/tags/v1', 'HEAD^{tree}', 'no-such-branch', absent, 'main'];
    const expected = await Promise.all(revs.map((r) => revParse(r, o)));
    expect(expected[0]).toBe(run('rev-parse', 'main'));
    expect(expected[1]).toBe(run('rev-parse', 'v1'));
    expect(expected[3]).toBeUndefined();
    expect(await revParseAll(revs, o)).toEqual(expected);
  });

  it('answers nothing for no revs', async () => {
    expect(await revParseAll([], o)).toEqual([]);
  });
});
