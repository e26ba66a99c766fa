import { describe, expect, it } from 'vitest';
import type { PushRequest } from '../layout.js';
import { ATOMIC_FAILURE, decideUpdates } from './decide.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const table = [
  { ref: 'refs/heads/main', sha: A },
  { ref: 'refs/heads/keep', sha: A },
];
const push = (dst: string, sha: string | undefined, extra: Partial<PushRequest> = {}): PushRequest => ({
  sha,
  dst,
  force: false,
  expect: undefined,
  ...extra,
});
const options = (atomic: boolean, protectedRefs: string[] = []) => {
  const asked: string[] = [];
  return {
    asked,
    atomic,
    display: 's3://b/repo',
    isProtected: async (ref: string) => {
      asked.push(ref);
      return protectedRefs.includes(ref);
    },
  };
};

describe('decideUpdates', () => {
  it('accepts new refs, deletes and up-to-date refs, and refuses what git would', async () => {
    const o = options(false);
    const decisions = await decideUpdates(
      table,
      [
        push('refs/heads/new', B),
        push('refs/heads/keep', undefined),
        push('refs/heads/main', A),
        push('refs/heads/gone', undefined),
        push('refs/heads/main', B, { expect: B }),
      ],
      o,
    );
    expect(decisions).toEqual([
      { ref: 'refs/heads/new', ok: true, sha: B, forced: false, upToDate: false },
      { ref: 'refs/heads/keep', ok: true, sha: undefined, forced: false, upToDate: false },
      { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: true },
      { ref: 'refs/heads/gone', ok: false, reason: 'remote ref does not exist' },
      { ref: 'refs/heads/main', ok: false, reason: 'stale info' },
    ]);
    // Protection is looked up only for the branch a push would delete.
    expect(o.asked).toEqual(['refs/heads/keep']);
  });

  it('refuses to delete a protected branch with the unprotect command to run', async () => {
    const [decision] = await decideUpdates(table, [push('refs/heads/keep', undefined)], options(false, ['refs/heads/keep']));
    expect(decision).toEqual({
      ref: 'refs/heads/keep',
      ok: false,
      reason: "branch keep is protected: refusing to delete it; run 'git s3 unprotect s3://b/repo keep' first if you mean it",
    });
  });

  it('with --atomic, one refusal turns every change into a failure, and up-to-date refs stay up to date', async () => {
    const decisions = await decideUpdates(
      table,
      [push('refs/heads/new', B), push('refs/heads/main', A), push('refs/heads/keep', B, { expect: B })],
      options(true),
    );
    expect(decisions).toEqual([
      { ref: 'refs/heads/new', ok: false, reason: ATOMIC_FAILURE },
      { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: true },
      { ref: 'refs/heads/keep', ok: false, reason: 'stale info' },
    ]);
  });

  it('refuses a ref name git would reject', async () => {
    const [decision] = await decideUpdates(table, [push('refs/heads/a..b', B)], options(false));
    expect(decision).toMatchObject({ ok: false, reason: "'refs/heads/a..b' is not a valid ref name" });
  });

  it('refuses a new ref that an existing one is a path prefix of, re-judged against the table it commits on', async () => {
    const [refused] = await decideUpdates(table, [push('refs/heads/main/login', B)], options(false));
    expect(refused).toEqual({
      ref: 'refs/heads/main/login',
      ok: false,
      reason: "cannot lock ref 'refs/heads/main/login': 'refs/heads/main' exists; cannot create 'refs/heads/main/login'",
    });
    // Deleting main in the same push makes room for it.
    const renamed = await decideUpdates(table, [push('refs/heads/main', undefined), push('refs/heads/main/login', B)], options(false));
    expect(renamed.map((d) => d.ok)).toEqual([true, true]);
  });

  it('with --atomic, a ref-name conflict refuses the whole push', async () => {
    const decisions = await decideUpdates(table, [push('refs/heads/new', B), push('refs/heads/keep/x', B)], options(true));
    expect(decisions.map((d) => (d.ok ? 'ok' : d.reason))).toEqual([
      ATOMIC_FAILURE,
      "cannot lock ref 'refs/heads/keep/x': 'refs/heads/keep' exists; cannot create 'refs/heads/keep/x'",
    ]);
  });
});
