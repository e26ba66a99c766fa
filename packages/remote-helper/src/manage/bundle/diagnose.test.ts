import type { ObjectInfo } from '@git-remote-s3/core';
import { describe, expect, it } from 'vitest';
import {
  type DiagnosisContext,
  describeFinding,
  diagnose,
  type Finding,
  findingId,
  fixHint,
  isProblem,
  MANY_REFS,
  summarize,
} from './diagnose.js';
import { listed as object, remoteState, SHA_A, SHA_B } from './remote-state.fixture.js';

const state = (objects: ObjectInfo[], head: string | null = 'refs/heads/main') => remoteState(objects, head);
const main = object(`repo/refs/heads/main/${SHA_A}.bundle`, 100);
const ctx: DiagnosisContext = { bucket: 'b', prefix: 'repo', display: 's3://b/repo', lockTtlMs: 60_000, doctorFlags: [] };
const kinds = (findings: Finding[]) => findings.map((f) => f.kind);

describe('diagnose', () => {
  it('finds nothing on a remote with one bundle per ref and HEAD on an existing branch', () => {
    expect(diagnose(state([main, object(`repo/refs/tags/v1/${SHA_B}.bundle`, 5)]), 60_000)).toEqual([]);
  });

  it('finds nothing on an empty remote', () => {
    expect(diagnose(state([], null), 60_000)).toEqual([]);
  });

  it('reports several bundles of a ref, newest first, as a problem the newest settles', () => {
    const [finding, ...rest] = diagnose(state([main, object(`repo/refs/heads/main/${SHA_B}.bundle`, 10)]), 60_000);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ kind: 'multiple-bundles', ref: 'refs/heads/main', newest: 'clear' });
    expect(finding?.kind === 'multiple-bundles' && finding.bundles.map((b) => b.sha)).toEqual([SHA_B, SHA_A]);
    expect(finding && isProblem(finding)).toBe(true);
    expect(finding && fixHint(finding, ctx)).toBe("run 'git s3 doctor --keep-newest-bundle s3://b/repo'");
  });

  it('says when the newest of several bundles cannot be told apart', () => {
    const [finding] = diagnose(state([main, object(`repo/refs/heads/main/${SHA_B}.bundle`, 100)]), 60_000);
    expect(finding).toMatchObject({ kind: 'multiple-bundles', newest: 'same age' });
    expect(finding && describeFinding(finding, ctx)).toContain('same Last-Modified');
    expect(finding && fixHint(finding, ctx)).toMatch(
      /^fetch each bundle of refs\/heads\/main.*aws s3 rm s3:\/\/b\/repo\/refs\/heads\/main\//,
    );
  });

  it('takes several bundles under a live lock for a push in progress, not a problem', () => {
    const findings = diagnose(
      state([main, object(`repo/refs/heads/main/${SHA_B}.bundle`, 10), object('repo/refs/heads/main/LOCK#.lock', 5)]),
      60_000,
    );
    expect(findings).toMatchObject([
      { kind: 'multiple-bundles', newest: 'push in progress' },
      { kind: 'live-lock', ref: 'refs/heads/main', ageMs: 5000 },
    ]);
    expect(findings.filter(isProblem)).toEqual([]);
  });

  it('tells stale locks from live ones by the TTL it is given', () => {
    const objects = [main, object('repo/refs/heads/main/LOCK#.lock', 30)];
    expect(kinds(diagnose(state(objects), 60_000))).toEqual(['live-lock']);
    const [stale] = diagnose(state(objects), 20_000);
    expect(stale).toEqual({ kind: 'stale-lock', ref: 'refs/heads/main', key: 'repo/refs/heads/main/LOCK#.lock', ageMs: 30_000 });
    expect(stale && describeFinding(stale, { ...ctx, lockTtlMs: 20_000 })).toBe(
      'stale lock on refs/heads/main: s3://b/repo/refs/heads/main/LOCK#.lock is 30s old (TTL 20s)',
    );
  });

  it('repeats an overridden TTL in the command it suggests', () => {
    const [stale] = diagnose(state([main, object('repo/refs/heads/main/LOCK#.lock', 30)]), 20_000);
    expect(stale && fixHint(stale, { ...ctx, doctorFlags: ['--lock-ttl 20'] })).toBe(
      "run 'git s3 doctor --delete-stale-locks --lock-ttl 20 s3://b/repo'",
    );
  });

  it('reports a missing HEAD and suggests main, else master, else the first branch', () => {
    const dev = object(`repo/refs/heads/dev/${SHA_B}.bundle`, 1);
    const master = object(`repo/refs/heads/master/${SHA_B}.bundle`, 1);
    expect(diagnose(state([dev, main], null), 60_000)).toEqual([{ kind: 'head-missing', suggestion: 'refs/heads/main' }]);
    expect(diagnose(state([dev, master], null), 60_000)).toEqual([{ kind: 'head-missing', suggestion: 'refs/heads/master' }]);
    const [missing] = diagnose(state([dev], null), 60_000);
    expect(missing).toEqual({ kind: 'head-missing', suggestion: 'refs/heads/dev' });
    expect(missing && fixHint(missing, ctx)).toBe("run 'git s3 doctor --set-head dev s3://b/repo'");
    expect(missing && describeFinding(missing, ctx)).toContain('s3://b/repo/HEAD');
  });

  it('reports a ref that is a path prefix of another, naming both and the push that deletes one', () => {
    const login = object(`repo/refs/heads/main/login/${SHA_B}.bundle`, 1);
    const [conflict] = diagnose(state([main, login]), 60_000);
    expect(conflict).toEqual({ kind: 'ref-name-conflict', parent: 'refs/heads/main', ref: 'refs/heads/main/login' });
    expect(conflict && isProblem(conflict)).toBe(true);
    expect(conflict && describeFinding(conflict, ctx)).toBe(
      'refs/heads/main and refs/heads/main/login both exist: git cannot hold both, so every clone and fetch of this remote fails',
    );
    expect(conflict && fixHint(conflict, ctx)).toBe(
      "delete one of them: 'git push s3://b/repo :refs/heads/main/login' or 'git push s3://b/repo :refs/heads/main'",
    );
  });

  it('does not ask for a HEAD when the remote has tags but no branch', () => {
    expect(diagnose(state([object(`repo/refs/tags/v1/${SHA_A}.bundle`, 1)], null), 60_000)).toEqual([]);
  });

  it('reports a HEAD that names no branch of the remote, a tag included', () => {
    const tag = object(`repo/refs/tags/v1/${SHA_B}.bundle`, 1);
    expect(diagnose(state([main, tag], 'refs/tags/v1'), 60_000)).toEqual([
      { kind: 'head-dangling', head: 'refs/tags/v1', suggestion: 'refs/heads/main' },
    ]);
    const [dangling] = diagnose(state([tag], 'refs/heads/gone'), 60_000);
    expect(dangling).toEqual({ kind: 'head-dangling', head: 'refs/heads/gone', suggestion: undefined });
    expect(dangling && fixHint(dangling, ctx)).toBe("push a branch, then run 'git s3 doctor --set-head <branch> s3://b/repo'");
  });

  it('reports keys under refs/ that are not ours, and repo.zip without a bundle', () => {
    const findings = diagnose(
      state([main, object('repo/refs/heads/main/notes.txt', 1), object('repo/refs/heads/old/repo.zip', 1)]),
      60_000,
    );
    expect(findings).toEqual([
      { kind: 'zip-without-bundle', ref: 'refs/heads/old', key: 'repo/refs/heads/old/repo.zip' },
      { kind: 'invalid-key', key: 'repo/refs/heads/main/notes.txt', reason: "unknown object 'notes.txt'" },
    ]);
    expect(findings.every(isProblem)).toBe(true);
  });

  it('notes protection of a branch without a bundle, which is no problem', () => {
    const [finding] = diagnose(state([main, object('repo/refs/heads/next/PROTECTED#', 1)]), 60_000);
    expect(finding).toEqual({ kind: 'protected-without-bundle', ref: 'refs/heads/next' });
    expect(finding && isProblem(finding)).toBe(false);
    expect(finding && fixHint(finding, ctx)).toBeUndefined();
    expect(finding && describeFinding(finding, ctx)).toBe(
      'branch next is protected but has no bundle; the protection applies when it is pushed',
    );
  });
});

describe('many refs', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => object(`repo/refs/tags/v${i}/${SHA_B}.bundle`, 5));

  it('advises the packs layout, as a note and not a problem, when a bundle remote has more than 100 refs', () => {
    const findings = diagnose(state([main, ...tags(MANY_REFS)]), 60_000);
    expect(findings).toEqual([{ kind: 'many-refs', count: 101 }]);
    const [finding] = findings as [Finding];
    expect(isProblem(finding)).toBe(false);
    expect(fixHint(finding, ctx)).toBeUndefined();
    expect(describeFinding(finding, ctx)).toBe(
      "101 refs: on the bundle layout each ref is a full bundle, so pushes and clones grow costly with many refs; 'git s3 migrate s3://b/repo --to packs' moves this remote to the packs layout, which keeps them in one ref table",
    );
    expect(summarize(findings, findings).line).toBe('doctor: no problems found');
  });

  it('says nothing about a remote of exactly 100 refs, nor counts refs that have no bundle', () => {
    const lockOnly = object('repo/refs/heads/gone/LOCK#.lock', 5);
    expect(diagnose(state([main, ...tags(MANY_REFS - 1), lockOnly]), 60_000).map((f) => f.kind)).toEqual(['live-lock']);
  });
});

describe('findingId', () => {
  it('names a finding by its kind and ref or key, not by its age', () => {
    const a: Finding = { kind: 'stale-lock', ref: 'refs/heads/main', key: 'k', ageMs: 1 };
    const b: Finding = { kind: 'stale-lock', ref: 'refs/heads/main', key: 'k', ageMs: 99 };
    expect(findingId(a)).toBe(findingId(b));
    expect(findingId(a)).not.toBe(findingId({ ...a, ref: 'refs/heads/dev' }));
    expect(findingId({ kind: 'invalid-key', key: 'x', reason: 'r' })).not.toBe(findingId({ kind: 'invalid-key', key: 'y', reason: 'r' }));
  });
});

describe('summarize', () => {
  const stale: Finding = { kind: 'stale-lock', ref: 'refs/heads/main', key: 'k', ageMs: 1 };
  const head: Finding = { kind: 'head-missing', suggestion: 'refs/heads/main' };
  const live: Finding = { kind: 'live-lock', ref: 'refs/heads/dev', key: 'k2', ageMs: 1 };

  it('counts the problems found and those gone after the fixes, ignoring notes', () => {
    expect(summarize([stale, head, live], [head, live])).toEqual({ found: 2, fixed: 1, line: 'doctor: 2 problems found, 1 fixed' });
  });

  it('says one problem in the singular', () => {
    expect(summarize([head], [head]).line).toBe('doctor: 1 problem found, 0 fixed');
  });

  it('says so when there is no problem', () => {
    expect(summarize([live], [live]).line).toBe('doctor: no problems found');
  });
});
