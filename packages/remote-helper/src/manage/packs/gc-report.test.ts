import { describe, expect, it } from 'vitest';
import type { PackGroup } from './gc-plan.js';
import { formatGcReport, type GcReport } from './gc-report.js';

const NOW = new Date('2026-03-01T12:00:00.250Z');
const HOUR = 3_600_000;
const group = (c: string, bytes: number): PackGroup => ({ name: `pack-${c.repeat(40)}`, keys: [], bytes, packBytes: bytes, newest: NOW });
const later = (ms: number) => new Date(NOW.getTime() + ms);

const base: GcReport = {
  display: 's3://b/r',
  graceMs: HOUR,
  dryRun: false,
  now: NOW,
  listedBefore: 4,
  listedAfter: 1,
  consolidated: undefined,
  deletedRetired: [],
  deletedOrphans: [],
  keptRetired: [],
  keptOrphans: [],
};

describe('formatGcReport', () => {
  it('reports a consolidation, the packs it retired and when a gc may delete them', () => {
    const retired = ['a', 'b', 'c', 'd'].map((c) => ({ group: group(c, 512), until: later(HOUR) }));
    expect(
      formatGcReport({
        ...base,
        consolidated: { packs: 4, bytes: 2048, result: { name: `pack-${'e'.repeat(40)}`, bytes: 1900, objects: 12, listed: true } },
        keptRetired: retired,
      }),
    ).toEqual([
      'gc: s3://b/r (grace period 1h00m)',
      `consolidated 4 packs (2.00 KiB) into pack-${'e'.repeat(40)} (1.86 KiB, 12 objects)`,
      '4 retired packs (2.00 KiB) stay for clones and fetches that listed them; a gc may delete them after 2026-03-01T13:00:00Z (in 1h00m)',
      'gc: done; the pack list names 1 pack',
    ]);
  });

  it('reports deletions, and kept packs whose grace periods end at different times', () => {
    expect(
      formatGcReport({
        ...base,
        graceMs: 0,
        listedBefore: 1,
        deletedRetired: [group('a', 100), group('b', 200)],
        deletedOrphans: [group('c', 3000)],
        keptRetired: [
          { group: group('d', 10), until: later(600_000) },
          { group: group('e', 10), until: later(HOUR) },
        ],
        keptOrphans: [{ group: group('f', 10), until: later(120_000) }],
      }),
    ).toEqual([
      'gc: s3://b/r (grace period 0s)',
      'nothing to consolidate: the pack list names 1 pack',
      'deleted 2 retired packs (300 bytes): their grace period is over',
      'deleted 1 orphan pack (2.93 KiB): listed nowhere for longer than the grace period and at least an hour (left by an interrupted push)',
      '2 retired packs (20 bytes) stay for clones and fetches that listed them; a gc may delete them from 2026-03-01T12:10:00Z (in 10m00s), the last after 2026-03-01T13:00:00Z (in 1h00m)',
      '1 unlisted pack (10 bytes) too young to judge stays (a push may be listing it); a gc may delete it after 2026-03-01T12:02:00Z (in 2m00s) if still unlisted',
      'gc: done; the pack list names 1 pack',
    ]);
  });

  it('says what a dry run would do', () => {
    expect(
      formatGcReport({
        ...base,
        dryRun: true,
        listedAfter: undefined,
        consolidated: { packs: 4, bytes: 2048 },
        deletedRetired: [group('a', 100)],
      }),
    ).toEqual([
      'gc: s3://b/r (grace period 1h00m)',
      'would consolidate 4 packs (2.00 KiB) into one and retire them for the grace period',
      'would delete 1 retired pack (100 bytes): their grace period is over',
      'gc: dry run, nothing changed',
    ]);
  });

  it('says so when another gc replaced the packs in the list first', () => {
    const lines = formatGcReport({
      ...base,
      listedAfter: 2,
      consolidated: { packs: 2, bytes: 10, result: { name: `pack-${'e'.repeat(40)}`, bytes: 9, objects: 1, listed: false } },
    });
    expect(lines[1]).toBe(
      `wrote pack-${'e'.repeat(40)} (9 bytes, 1 object) from 2 packs (10 bytes), but another gc had replaced them in the pack list first; a later gc deletes it`,
    );
  });
});
