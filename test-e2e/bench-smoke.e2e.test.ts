// The benchmark harness as a smoke test: `pnpm bench --quick --with-peer` completes every scenario and
// every subject gets numbers (or a stated reason). It asserts nothing about speed.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from '@git-remote-s3/test-harness/context';
import { REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import { describe, expect } from 'vitest';

interface Row {
  readonly scenario: string;
  readonly subject: string;
  readonly wallMs?: { readonly median: number };
  readonly skipped?: string;
  readonly requests?: Record<string, number>;
}

describe('benchmark harness', () => {
  test('bench --quick --with-peer runs every scenario and reports numbers for every subject', async ({ world }) => {
    const out = join(world.dir, 'bench-results');
    const result = await world.run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench', 'run.ts'), '--quick', '--with-peer', '--out', out],
      {
        cwd: REPO_ROOT,
        timeoutMs: 240_000,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const [file] = await readdir(out);
    const { rows } = JSON.parse(await readFile(join(out, file ?? ''), 'utf8')) as { rows: Row[] };
    const scenarios = new Set(rows.map((r) => r.scenario.split(' ')[0]));
    expect([...scenarios].sort()).toEqual(['1', '2', '3a', '3b', '4', '5', '6', 'refs']);
    // 'ours' is start-up and LFS; the history scenarios run ours once per bucket layout.
    for (const subject of ['ours', 'ours (bundle)', 'ours (packs)', 'awslabs (python)', 'git file://', 'raw SDK', 'node -e 0']) {
      expect(
        rows.some((r) => r.subject === subject && r.wallMs !== undefined),
        subject,
      ).toBe(true);
    }
    for (const row of rows) {
      if (row.skipped) continue;
      expect(Number.isFinite(row.wallMs?.median), `${row.scenario} / ${row.subject}`).toBe(true);
    }
    for (const subject of ['ours (bundle)', 'ours (packs)']) {
      for (const scenario of ['1', '2', '3a', '3b', '4']) {
        expect(
          rows.some((r) => r.scenario.split(' ')[0] === scenario && r.subject === subject && r.wallMs !== undefined),
          `${scenario} / ${subject}`,
        ).toBe(true);
      }
      // The proxy counted the S3 requests of each layout's first push.
      const push = rows.find((r) => r.scenario.startsWith('1 ') && r.subject === subject);
      expect(push?.requests?.PUT ?? 0, `1 / ${subject} PUT requests`).toBeGreaterThan(0);
    }
    expect(result.stdout).toMatch(/\| 1 initial push +\| ours \(bundle\) +\|/);
    expect(result.stdout).toMatch(/\| 1 initial push +\| ours \(packs\) +\|/);
    // Many refs: each size's one-ref push and no-op fetch, ours and git over file://.
    for (const subject of ['ours (packs)', 'git file://']) {
      for (const step of ['4 one-ref push', '5 no-op fetch']) {
        expect(
          rows.filter((r) => r.scenario.startsWith('refs ') && r.scenario.endsWith(step) && r.subject === subject && r.wallMs),
          `${step} / ${subject}`,
        ).toHaveLength(3);
      }
    }
  }, 300_000);
});
