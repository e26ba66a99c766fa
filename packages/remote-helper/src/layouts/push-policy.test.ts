import type { Ancestry } from '@git-remote-s3/core/repo';
import { describe, expect, it } from 'vitest';
import type { Verdict } from './completeness.js';
import type { PushRequest } from './layout.js';
import { decidePush, decideRefUpdate, type PolicyAnswers, type RefDecision, recheckRefUpdate, refuseIncomplete } from './push-policy.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
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

/** Stubbed answers: `relations` by `<remote> <pushed>` (default: the remote's id is an ancestor); what was asked is kept. */
const answers = (protectedRefs: string[] = [], relations: Record<string, Ancestry> = {}) => {
  const asked: string[] = [];
  const ancestryAsked: string[] = [];
  const given: PolicyAnswers = {
    display: 's3://b/repo',
    isProtected: async (ref: string) => {
      asked.push(ref);
      return protectedRefs.includes(ref);
    },
    ancestry: async (from, to) => {
      ancestryAsked.push(`${from} ${to}`);
      return relations[`${from} ${to}`] ?? 'ancestor';
    },
  };
  return { ...given, asked, ancestryAsked };
};
const options = (atomic: boolean, protectedRefs: string[] = []) => ({ ...answers(protectedRefs), atomic });

describe('decidePush', () => {
  it('accepts new refs, deletes and up-to-date refs, and refuses what git would', async () => {
    const o = options(false);
    const decisions = await decidePush(
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
      { ref: 'refs/heads/gone', ok: false, reason: 'no-such-ref' },
      { ref: 'refs/heads/main', ok: false, reason: 'stale-info' },
    ]);
    // Protection is looked up only for the branch a push would delete.
    expect(o.asked).toEqual(['refs/heads/keep']);
  });

  it('refuses to delete a protected branch with the unprotect command to run', async () => {
    const [decision] = await decidePush(table, [push('refs/heads/keep', undefined)], options(false, ['refs/heads/keep']));
    expect(decision).toEqual({
      ref: 'refs/heads/keep',
      ok: false,
      reason: 'protected',
      message: "branch keep is protected: refusing to delete it; run 'git s3 unprotect s3://b/repo keep' first if you mean it",
    });
  });

  it('with --atomic, one refusal turns every change into a failure, and up-to-date refs stay up to date', async () => {
    const decisions = await decidePush(
      table,
      [push('refs/heads/new', B), push('refs/heads/main', A), push('refs/heads/keep', B, { expect: B })],
      options(true),
    );
    expect(decisions).toEqual([
      { ref: 'refs/heads/new', ok: false, reason: 'atomic-push-failed' },
      { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: true },
      { ref: 'refs/heads/keep', ok: false, reason: 'stale-info' },
    ]);
  });

  it('refuses a ref name git would reject', async () => {
    const [decision] = await decidePush(table, [push('refs/heads/a..b', B)], options(false));
    expect(decision).toEqual({ ref: 'refs/heads/a..b', ok: false, reason: 'invalid-ref-name' });
  });

  it('refuses a new ref that an existing one is a path prefix of, re-judged against the table it commits on', async () => {
    const [refused] = await decidePush(table, [push('refs/heads/main/login', B)], options(false));
    expect(refused).toEqual({
      ref: 'refs/heads/main/login',
      ok: false,
      reason: 'ref-name-conflict',
      message: "cannot lock ref 'refs/heads/main/login': 'refs/heads/main' exists; cannot create 'refs/heads/main/login'",
    });
    // Deleting main in the same push makes room for it.
    const renamed = await decidePush(table, [push('refs/heads/main', undefined), push('refs/heads/main/login', B)], options(false));
    expect(renamed.map((d) => d.ok)).toEqual([true, true]);
  });

  it('with --atomic, a ref-name conflict refuses the whole push', async () => {
    const decisions = await decidePush(table, [push('refs/heads/new', B), push('refs/heads/keep/x', B)], options(true));
    expect(decisions.map((d) => (d.ok ? 'ok' : d.reason))).toEqual(['atomic-push-failed', 'ref-name-conflict']);
  });

  it('refuses a ref whose pushed history would leave the remote incomplete, and with --atomic every change with it', async () => {
    const verdicts = new Map<string, Verdict>([['refs/heads/new', { ok: false, reason: 'shallow update not allowed: …' }]]);
    const requests = [push('refs/heads/new', B), push('refs/heads/other', C), push('refs/heads/main', A)];
    expect(await decidePush(table, requests, { ...options(false), verdicts })).toEqual([
      { ref: 'refs/heads/new', ok: false, reason: 'incomplete', message: 'shallow update not allowed: …' },
      { ref: 'refs/heads/other', ok: true, sha: C, forced: false, upToDate: false },
      { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: true },
    ]);
    expect((await decidePush(table, requests, { ...options(true), verdicts })).map((d) => (d.ok ? 'ok' : d.reason))).toEqual([
      'incomplete',
      'atomic-push-failed',
      'ok',
    ]);
  });

  it('with --atomic, a ref already refused for another reason stays an atomic failure, not an incomplete one', async () => {
    const verdicts = new Map<string, Verdict>([['refs/heads/new', { ok: false, reason: 'shallow update not allowed: …' }]]);
    const decisions = await decidePush(table, [push('refs/heads/new', B), push('refs/heads/keep', B, { expect: B })], {
      ...options(true),
      verdicts,
    });
    expect(decisions.map((d) => (d.ok ? 'ok' : d.reason))).toEqual(['atomic-push-failed', 'stale-info']);
  });
});

describe('decideRefUpdate: one reason per rule, in git vocabulary where git has one', () => {
  it.each<[string, string | undefined, PushRequest, Record<string, Ancestry>, RefDecision]>([
    [
      'a fast-forward lands unforced',
      A,
      push('refs/heads/main', B),
      {},
      { ref: 'refs/heads/main', ok: true, sha: B, forced: false, upToDate: false },
    ],
    [
      'a new ref lands without asking ancestry',
      undefined,
      push('refs/heads/main', B),
      {},
      { ref: 'refs/heads/main', ok: true, sha: B, forced: false, upToDate: false },
    ],
    [
      'non-fast-forward: the remote id is here and not an ancestor',
      A,
      push('refs/heads/main', B),
      { [`${A} ${B}`]: 'not-ancestor' },
      { ref: 'refs/heads/main', ok: false, reason: 'non-fast-forward' },
    ],
    [
      'fetch-first: the remote id is not here, so git cannot tell',
      A,
      push('refs/heads/main', B),
      { [`${A} ${B}`]: 'unknown' },
      { ref: 'refs/heads/main', ok: false, reason: 'fetch-first' },
    ],
    [
      'a forced non-fast-forward lands as forced',
      A,
      push('refs/heads/main', B, { force: true }),
      { [`${A} ${B}`]: 'not-ancestor' },
      { ref: 'refs/heads/main', ok: true, sha: B, forced: true, upToDate: false },
    ],
    [
      'a lease that holds allows a non-fast-forward',
      A,
      push('refs/heads/main', B, { expect: A }),
      { [`${A} ${B}`]: 'not-ancestor' },
      { ref: 'refs/heads/main', ok: true, sha: B, forced: true, upToDate: false },
    ],
    [
      'stale-info: the lease names another id',
      A,
      push('refs/heads/main', B, { expect: C }),
      {},
      { ref: 'refs/heads/main', ok: false, reason: 'stale-info' },
    ],
    [
      'stale-info: the lease says absent, the ref exists',
      A,
      push('refs/heads/main', B, { expect: '' }),
      {},
      { ref: 'refs/heads/main', ok: false, reason: 'stale-info' },
    ],
    [
      'a lease that says absent holds for a new ref',
      undefined,
      push('refs/heads/main', B, { expect: '' }),
      {},
      { ref: 'refs/heads/main', ok: true, sha: B, forced: false, upToDate: false },
    ],
    [
      'already-exists: a tag is never moved unforced',
      A,
      push('refs/tags/v1', B),
      {},
      { ref: 'refs/tags/v1', ok: false, reason: 'already-exists' },
    ],
    [
      'a forced tag moves',
      A,
      push('refs/tags/v1', B, { force: true }),
      {},
      { ref: 'refs/tags/v1', ok: true, sha: B, forced: false, upToDate: false },
    ],
    [
      'an up-to-date ref is accepted as such',
      A,
      push('refs/heads/main', A),
      {},
      { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: true },
    ],
    [
      'no-such-ref: a delete of a ref the remote lacks',
      undefined,
      push('refs/heads/main', undefined),
      {},
      { ref: 'refs/heads/main', ok: false, reason: 'no-such-ref' },
    ],
    [
      'invalid-ref-name: a name git refuses',
      undefined,
      push('refs/heads/x.lock', B),
      {},
      { ref: 'refs/heads/x.lock', ok: false, reason: 'invalid-ref-name' },
    ],
  ])('%s', async (_name, remoteSha, request, relations, expected) => {
    expect(await decideRefUpdate(remoteSha, request, answers([], relations))).toEqual(expected);
  });

  it('protected: a forced update of a protected branch is refused with the unprotect command; a fast-forward is not', async () => {
    const given = answers(['refs/heads/main'], { [`${A} ${B}`]: 'not-ancestor' });
    expect(await decideRefUpdate(A, push('refs/heads/main', B, { force: true }), given)).toEqual({
      ref: 'refs/heads/main',
      ok: false,
      reason: 'protected',
      message: "branch main is protected: refusing to force push it; run 'git s3 unprotect s3://b/repo main' first if you mean it",
    });
    expect(await decideRefUpdate(A, push('refs/heads/main', C), given)).toMatchObject({ ok: true, forced: false });
    // Asked once, for the forced update alone.
    expect(given.asked).toEqual(['refs/heads/main']);
  });

  it('asks protection of branches only: a tag is never protected', async () => {
    const given = answers(['refs/tags/v1']);
    expect(await decideRefUpdate(A, push('refs/tags/v1', undefined), given)).toMatchObject({ ok: true });
    expect(given.asked).toEqual([]);
  });

  it('checks the lease before anything else is asked', async () => {
    const given = answers(['refs/heads/main']);
    expect(await decideRefUpdate(A, push('refs/heads/main', undefined, { expect: B }), given)).toMatchObject({ reason: 'stale-info' });
    expect([...given.asked, ...given.ancestryAsked]).toEqual([]);
  });
});

describe('recheckRefUpdate (under the lock)', () => {
  it('keeps the first decision when the ref has not moved, asking protection again', async () => {
    const first = answers();
    const request = push('refs/heads/main', B, { force: true });
    expect(await decideRefUpdate(A, request, { ...first, ancestry: async () => 'not-ancestor' })).toMatchObject({ ok: true, forced: true });
    const now = answers(['refs/heads/main']);
    expect(await recheckRefUpdate(A, () => A, request, { ...now, ancestry: async () => 'not-ancestor' })).toMatchObject({
      ok: false,
      reason: 'protected',
    });
  });

  it('refuses an update whose ref moved meanwhile: fetch-first, or stale-info under a lease', async () => {
    expect(await recheckRefUpdate(A, () => C, push('refs/heads/main', B), answers())).toEqual({
      ref: 'refs/heads/main',
      ok: false,
      reason: 'fetch-first',
    });
    expect(await recheckRefUpdate(undefined, () => C, push('refs/heads/main', B), answers())).toMatchObject({ reason: 'fetch-first' });
    expect(await recheckRefUpdate(A, () => C, push('refs/heads/main', B, { expect: A }), answers())).toMatchObject({
      reason: 'stale-info',
    });
    expect(await recheckRefUpdate(A, () => undefined, push('refs/heads/main', undefined, { expect: A }), answers())).toMatchObject({
      reason: 'stale-info',
    });
  });

  it('lets a delete without a lease remove whatever the ref holds, without reading it', async () => {
    const read = () => {
      throw new Error('not read');
    };
    expect(await recheckRefUpdate(A, read, push('refs/heads/main', undefined), answers())).toEqual({
      ref: 'refs/heads/main',
      ok: true,
      sha: undefined,
      forced: false,
      upToDate: false,
    });
  });
});

describe('refuseIncomplete', () => {
  const decisions: RefDecision[] = [
    { ref: 'refs/heads/main', ok: true, sha: A, forced: false, upToDate: false },
    { ref: 'refs/heads/dev', ok: true, sha: A, forced: false, upToDate: false },
    { ref: 'refs/heads/same', ok: true, sha: A, forced: false, upToDate: true },
    { ref: 'refs/heads/old', ok: false, reason: 'non-fast-forward' },
  ];
  const verdicts = new Map<string, Verdict>([
    ['refs/heads/main', { ok: false, reason: 'shallow update not allowed: …' }],
    ['refs/heads/dev', { ok: true }],
  ]);

  it('refuses only the incomplete ref; the others keep their own result', () => {
    expect(refuseIncomplete(decisions, verdicts, false)).toEqual([
      { ref: 'refs/heads/main', ok: false, reason: 'incomplete', message: 'shallow update not allowed: …' },
      decisions[1],
      decisions[2],
      { ref: 'refs/heads/old', ok: false, reason: 'non-fast-forward' },
    ]);
  });

  it('with --atomic, one incomplete ref refuses every ref the push would change', () => {
    expect(refuseIncomplete(decisions, verdicts, true)).toEqual([
      { ref: 'refs/heads/main', ok: false, reason: 'incomplete', message: 'shallow update not allowed: …' },
      { ref: 'refs/heads/dev', ok: false, reason: 'atomic-push-failed' },
      decisions[2],
      { ref: 'refs/heads/old', ok: false, reason: 'non-fast-forward' },
    ]);
  });

  it('leaves every result as it is when all refs are complete', () => {
    const fine = new Map<string, Verdict>([['refs/heads/main', { ok: true }]]);
    expect(refuseIncomplete(decisions, fine, true)).toEqual(decisions);
  });
});
