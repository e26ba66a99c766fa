import type { ObjectInfo, RetiredPack } from '@git-remote-s3/core';
import { UsageError } from '@git-remote-s3/core/errors';
import { describe, expect, it } from 'vitest';
import { forgetRetired, type GcState, groupPackFiles, parseGrace, planGc, replaceConsolidated, retire } from './gc-plan.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const pack = (c: string) => `pack-${c.repeat(40)}`;
const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(pack) as [string, string, string, string];

/** The .pack and .idx of `name`, uploaded `age` ms before NOW. */
const files = (name: string, age: number, size = 1000): ObjectInfo[] =>
  ['pack', 'idx'].map((ext) => ({
    key: `r/objects/pack/${name}.${ext}`,
    size: ext === 'pack' ? size : 100,
    etag: '"e"',
    lastModified: ago(age),
  }));

const state = (over: Partial<GcState>): GcState => ({ prefix: 'r', listed: [], retired: [], files: [], now: NOW, ...over });
const retiredAt = (name: string, age: number): RetiredPack => ({ name, retiredAt: ago(age) });
const names = (groups: readonly { name: string }[]) => groups.map((g) => g.name);

describe('groupPackFiles', () => {
  it('groups the files of each pack, with their sizes and latest upload, and ignores other keys', () => {
    const groups = groupPackFiles('r', [
      ...files(A, 2 * HOUR),
      { key: `r/objects/pack/${A}.rev`, size: 10, etag: '', lastModified: ago(HOUR) },
      { key: 'r/objects/pack/tmp_pack_123', size: 5, etag: '', lastModified: ago(10 * HOUR) },
    ]);
    expect([...groups.keys()]).toEqual([A]);
    expect(groups.get(A)).toEqual({
      name: A,
      keys: [`r/objects/pack/${A}.pack`, `r/objects/pack/${A}.idx`, `r/objects/pack/${A}.rev`],
      bytes: 1110,
      packBytes: 1000,
      newest: ago(HOUR),
    });
  });
});

describe('planGc', () => {
  it('consolidates every listed pack when there are two or more', () => {
    const plan = planGc(state({ listed: [A, B, C], files: [...files(A, HOUR), ...files(B, HOUR), ...files(C, 0)] }), HOUR);
    expect(names(plan.consolidate)).toEqual([A, B, C]);
    expect(planGc(state({ listed: [A], files: files(A, HOUR) }), HOUR).consolidate).toEqual([]);
  });

  it('refuses to consolidate when a listed pack is missing from the bucket', () => {
    const plan = planGc(state({ listed: [A, B], files: files(A, HOUR) }), HOUR);
    expect(plan.unreadable).toEqual([B]);
    expect(plan.consolidate).toEqual([]);
  });

  it('deletes a retired pack once the grace period since its retirement is over, and keeps a younger one with its date', () => {
    const plan = planGc(
      state({ retired: [retiredAt(A, 2 * HOUR), retiredAt(B, HOUR / 2)], files: [...files(A, 10 * HOUR), ...files(B, 10 * HOUR)] }),
      HOUR,
    );
    expect(names(plan.expired)).toEqual([A]);
    expect(plan.waiting.map((w) => [w.group.name, w.until])).toEqual([[B, new Date(NOW.getTime() + HOUR / 2)]]);
    expect(plan.forget).toEqual([retiredAt(A, 2 * HOUR)]);
    // Their upload time says nothing: a pack pushed long ago may have left the list a minute ago.
    expect(plan.orphans).toEqual([]);
  });

  it('with no grace period, deletes a pack retired this very moment', () => {
    expect(names(planGc(state({ retired: [retiredAt(A, 0)], files: files(A, HOUR) }), 0).expired)).toEqual([A]);
  });

  it('never deletes a listed pack: a gc may be replacing the list right now; a stale entry is only forgotten', () => {
    const files_ = [...files(A, 10 * HOUR), ...files(B, 10 * HOUR)];
    const plan = planGc(state({ listed: [A, B], retired: [retiredAt(A, HOUR / 2), retiredAt(B, 2 * HOUR)], files: files_ }), HOUR);
    expect(plan.expired).toEqual([]);
    expect(plan.waiting).toEqual([]);
    expect(plan.forget).toEqual([retiredAt(B, 2 * HOUR)]);
  });

  it('forgets a retired pack that is gone already', () => {
    const plan = planGc(state({ retired: [retiredAt(A, 2 * HOUR)] }), HOUR);
    expect(plan.expired).toEqual([]);
    expect(plan.forget).toEqual([retiredAt(A, 2 * HOUR)]);
  });

  it('with --grace 0, deletes a pack retired in the same second, though its upload looks later than its retirement by a Date header', () => {
    // Retired at 11:59:59.000 by an estimate from a Date header (the true time may be up to a second later),
    // uploaded before that at 11:59:59.600 by the store's millisecond clock, and judged by a second gc whose
    // listing's Date (truncated too) reads half a second before the estimate.
    const plan = planGc(state({ retired: [retiredAt(A, 1000)], files: files(A, 400), now: ago(1500) }), 0);
    expect(names(plan.expired)).toEqual([A]);
    expect(plan.forget).toEqual([retiredAt(A, 1000)]);
  });

  it('takes a pack written more than the Date resolution after its retirement for uploaded again', () => {
    const plan = planGc(state({ retired: [retiredAt(A, 2 * HOUR)], files: files(A, 2 * HOUR - 1500) }), HOUR);
    expect(plan.expired).toEqual([]);
    expect(plan.forget).toEqual([retiredAt(A, 2 * HOUR)]);
  });

  it('judges a retired pack uploaded again since (a push of the same objects) by its age, like any unlisted pack', () => {
    const plan = planGc(state({ retired: [retiredAt(A, 2 * HOUR)], files: files(A, 60_000) }), HOUR);
    expect(plan.expired).toEqual([]);
    expect(plan.forget).toEqual([retiredAt(A, 2 * HOUR)]);
    expect(plan.youngOrphans.map((w) => [w.group.name, w.until])).toEqual([[A, new Date(NOW.getTime() + HOUR - 60_000)]]);
  });

  it('deletes orphans (neither listed nor retired) older than the grace period and keeps younger ones: a push may be listing them', () => {
    const plan = planGc(state({ listed: [A], files: [...files(A, 0), ...files(B, 2 * HOUR), ...files(C, HOUR / 4)] }), HOUR);
    expect(names(plan.orphans)).toEqual([B]);
    expect(plan.youngOrphans.map((w) => w.group.name)).toEqual([C]);
  });

  it('never judges an orphan younger than an hour, whatever the grace period: a push may be about to list it', () => {
    const plan = planGc(state({ files: [...files(B, 2 * HOUR), ...files(C, HOUR / 2)] }), 0);
    expect(names(plan.orphans)).toEqual([B]);
    expect(plan.youngOrphans.map((w) => [w.group.name, w.until])).toEqual([[C, new Date(NOW.getTime() + HOUR / 2)]]);
  });

  it('keeps an index without its pack for a day: its large pack may still be uploading', () => {
    const idxOnly = (name: string, age: number) => files(name, age).filter((f) => f.key.endsWith('.idx'));
    const plan = planGc(state({ files: [...idxOnly(B, 25 * HOUR), ...idxOnly(C, 2 * HOUR)] }), HOUR);
    expect(names(plan.orphans)).toEqual([B]);
    expect(plan.youngOrphans.map((w) => w.group.name)).toEqual([C]);
  });

  it('judges an orphan by its newest file: an index uploaded late keeps its pack', () => {
    const plan = planGc(state({ files: [files(D, 2 * HOUR)[0] as ObjectInfo, files(D, 60_000)[1] as ObjectInfo] }), HOUR);
    expect(plan.orphans).toEqual([]);
    expect(plan.youngOrphans.map((w) => w.group.name)).toEqual([D]);
  });
});

describe('replaceConsolidated', () => {
  it('replaces the consolidated packs by the new one, first, and keeps packs pushed meanwhile', () => {
    expect(replaceConsolidated([A, B, C], [A, B], D)).toEqual([D, C]);
  });

  it('leaves the list alone when another gc replaced the packs first', () => {
    expect(replaceConsolidated([C, D], [A, B], pack('e'))).toEqual([C, D]);
  });

  it('keeps the new pack where it is when it is one of the consolidated (the same objects packed the same way)', () => {
    expect(replaceConsolidated([A, B], [A, B], A)).toEqual([A]);
  });
});

describe('the retired list', () => {
  it('adds the packs leaving the list with the time they leave it', () => {
    expect(retire([retiredAt(A, HOUR)], [B, C], NOW)).toEqual([retiredAt(A, HOUR), retiredAt(B, 0), retiredAt(C, 0)]);
  });

  it('forgets only the entries read, not a pack retired again later by another gc', () => {
    expect(
      forgetRetired([retiredAt(A, 2 * HOUR), retiredAt(B, 0), retiredAt(C, HOUR)], [retiredAt(A, 2 * HOUR), retiredAt(B, HOUR)]),
    ).toEqual([retiredAt(B, 0), retiredAt(C, HOUR)]);
  });
});

describe('parseGrace', () => {
  it.each([
    ['0', 0],
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 15 * 60_000],
    ['1h', HOUR],
    ['1h30m', 1.5 * HOUR],
    ['2d', 48 * HOUR],
    [' 10m ', 10 * 60_000],
  ])('reads %s', (text, ms) => {
    expect(parseGrace(text)).toBe(ms);
  });

  it.each(['', 'h', '1x', '1.5h', '-1h', '1h 30m', 'soon', '400d'])('refuses %j', (text) => {
    expect(() => parseGrace(text)).toThrow(UsageError);
    expect(() => parseGrace(text)).toThrow(/--grace expects a duration such as 90s, 15m, 1h or 0/);
  });
});
