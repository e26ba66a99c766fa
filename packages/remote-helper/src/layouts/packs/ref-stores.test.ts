import { describe, expect, it } from 'vitest';
import { compareRefStores, idsToPeel, planLooseRefsAfterPush, planLooseRefsSync, withKnownPeels } from './ref-stores.js';

const [A, B, C, T] = ['a', 'b', 'c', 't'].map((c) => c.repeat(40)) as [string, string, string, string];
const key = (ref: string) => `p/${ref}`;
const loose = (ref: string, sha?: string) => ({ ref, key: key(ref), sha });

describe('loose refs after a push', () => {
  it('rewrites the loose key of an updated ref and removes that of a deleted one, touching nothing else', () => {
    const table = [
      { ref: 'refs/heads/main', sha: B },
      { ref: 'refs/heads/other', sha: A },
    ];
    const plan = planLooseRefsAfterPush(
      table,
      ['refs/heads/main', 'refs/heads/gone', 'refs/heads/new'],
      [loose('refs/heads/main'), loose('refs/heads/gone'), loose('refs/heads/other')],
    );
    expect(plan).toEqual({ write: [{ key: key('refs/heads/main'), sha: B }], remove: [key('refs/heads/gone')] });
  });

  it('writes nothing when no changed ref has a loose key (packed-refs carries them)', () => {
    expect(planLooseRefsAfterPush([{ ref: 'refs/heads/main', sha: B }], ['refs/heads/main'], [])).toEqual({ write: [], remove: [] });
  });
});

describe('doctor --sync-refs', () => {
  it('rewrites each loose key that disagrees with info/refs, removes those of refs it lacks, leaves agreeing ones', () => {
    const table = [
      { ref: 'refs/heads/main', sha: B },
      { ref: 'refs/heads/ok', sha: A },
      { ref: 'refs/heads/junk', sha: C },
    ];
    const plan = planLooseRefsSync(table, [
      loose('refs/heads/main', A),
      loose('refs/heads/ok', A),
      loose('refs/heads/junk', undefined),
      loose('refs/heads/deleted', A),
    ]);
    expect(plan).toEqual({
      write: [
        { key: key('refs/heads/main'), sha: B },
        { key: key('refs/heads/junk'), sha: C },
      ],
      remove: [key('refs/heads/deleted')],
    });
  });
});

describe('comparing packed-refs and loose refs with info/refs', () => {
  const table = [
    { ref: 'refs/heads/main', sha: B },
    { ref: 'refs/tags/v1', sha: T, peeled: A },
  ];
  const packed = (refs: { ref: string; sha: string; peeled?: string }[], fully = true) => ({ refs, declaresUnpeeled: () => fully });

  it('finds nothing when all three agree', () => {
    expect(compareRefStores(table, packed(table), [loose('refs/heads/main', B)])).toEqual([]);
  });

  it('names a stale loose ref, a loose ref of a deleted ref, and each ref packed-refs has wrong', () => {
    const found = compareRefStores(
      table,
      packed([
        { ref: 'refs/heads/main', sha: A },
        { ref: 'refs/heads/old', sha: C },
      ]),
      [loose('refs/heads/main', A), loose('refs/heads/old', C)],
    );
    expect(found).toEqual([
      { kind: 'loose-stale', key: key('refs/heads/main'), ref: 'refs/heads/main', loose: A, table: B },
      { kind: 'loose-deleted', key: key('refs/heads/old'), ref: 'refs/heads/old', loose: C },
      { kind: 'packed-stale', ref: 'refs/tags/v1', packed: undefined, table: T },
    ]);
    expect(compareRefStores(table, packed([{ ref: 'refs/heads/old', sha: C }]), [])).toEqual([
      { kind: 'packed-stale', ref: 'refs/heads/main', packed: undefined, table: B },
      { kind: 'packed-stale', ref: 'refs/heads/old', packed: C, table: undefined },
      { kind: 'packed-stale', ref: 'refs/tags/v1', packed: undefined, table: T },
    ]);
  });

  it('judges packed-refs only for refs without a loose key, as git and JGit read them (JGit packs none it holds loose)', () => {
    const allLoose = [loose('refs/heads/main', B), loose('refs/tags/v1', T)];
    expect(compareRefStores(table, undefined, allLoose)).toEqual([]);
    expect(compareRefStores(table, packed([]), allLoose)).toEqual([]);
    expect(compareRefStores(table, packed([{ ref: 'refs/heads/main', sha: A }]), allLoose)).toEqual([]);
    expect(compareRefStores(table, undefined, [loose('refs/heads/main', B)])).toEqual([{ kind: 'packed-missing' }]);
  });

  it('reports a missing packed-refs only when there are refs', () => {
    expect(compareRefStores(table, undefined, [])).toEqual([{ kind: 'packed-missing' }]);
    expect(compareRefStores([], undefined, [])).toEqual([]);
  });

  it('reports a tag packed-refs declares not to peel, but not one it merely leaves to the reader', () => {
    const unpeeled = [
      { ref: 'refs/heads/main', sha: B },
      { ref: 'refs/tags/v1', sha: T },
    ];
    expect(compareRefStores(table, packed(unpeeled, true), [])).toEqual([
      { kind: 'packed-peel', ref: 'refs/tags/v1', packed: undefined, peeled: A },
    ]);
    expect(compareRefStores(table, packed(unpeeled, false), [])).toEqual([]);
    const wrong = [
      { ref: 'refs/heads/main', sha: B },
      { ref: 'refs/tags/v1', sha: T, peeled: C },
    ];
    expect(compareRefStores(table, packed(wrong, false), [])).toEqual([{ kind: 'packed-peel', ref: 'refs/tags/v1', packed: C, peeled: A }]);
  });
});

describe('peeling what is known', () => {
  const table = [
    { ref: 'refs/heads/main', sha: B },
    { ref: 'refs/tags/jgit', sha: T },
    { ref: 'refs/tags/ours', sha: C, peeled: A },
  ];

  it("adds the peeled id of a tag listed without one (JGit's info/refs) when its object is here", () => {
    const known = withKnownPeels(
      table,
      new Map([
        [B, null],
        [T, A],
      ]),
    );
    expect(known.fullyPeeled).toBe(true);
    expect(known.refs.find((r) => r.ref === 'refs/tags/jgit')?.peeled).toBe(A);
    expect(known.refs.find((r) => r.ref === 'refs/heads/main')?.peeled).toBeUndefined();
  });

  it('does not claim every tag is peeled while an object without a peeled id is not here to look at', () => {
    const known = withKnownPeels(table, new Map([[B, null]]));
    expect(known.fullyPeeled).toBe(false);
    expect(known.refs).toEqual(table);
  });
});

describe('idsToPeel', () => {
  it('asks only for the ids of refs that carry no peeled id, and withKnownPeels then knows every ref as before', () => {
    const tag = 't'.repeat(40);
    const commit = 'c'.repeat(40);
    const table = [
      { ref: 'refs/heads/main', sha: commit },
      { ref: 'refs/tags/v1', sha: tag, peeled: commit },
    ];
    expect(idsToPeel(table)).toEqual([commit]);
    const all = new Map<string, string | null>([
      [commit, null],
      [tag, commit],
    ]);
    const asked = new Map([...all].filter(([id]) => idsToPeel(table).includes(id)));
    expect(withKnownPeels(table, asked)).toEqual(withKnownPeels(table, all));
    expect(withKnownPeels(table, asked).fullyPeeled).toBe(true);
  });
});
