// The benchmark report: per scenario and subject, the median and range of wall time, bytes moved,
// requests by type and peak RSS over the runs; printed as a table and saved as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes } from '@git-remote-s3/core';
import type { Measurement } from './scenario.js';
import type { Sample, Subject } from './world.js';

export interface Row {
  readonly scenario: string;
  readonly subject: Subject;
  readonly runs: number;
  readonly wallMs?: { readonly median: number; readonly min: number; readonly max: number };
  readonly up?: number;
  readonly down?: number;
  readonly requests?: Readonly<Record<string, number>>;
  readonly peakRssKb?: number;
  readonly skipped?: string;
}

const SUBJECT_ORDER: readonly Subject[] = [
  'ours',
  'ours (bundle)',
  'ours (packs)',
  'awslabs (python)',
  'git file://',
  'raw SDK',
  'node -e 0',
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};

export function summarize(measurements: readonly Measurement[]): Row[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}\u0000${m.subject}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rows: Row[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    const samples = group.flatMap((m) => (m.sample ? [m.sample] : []));
    if (samples.length === 0) {
      rows.push({ scenario: first.scenario, subject: first.subject, runs: 0, skipped: first.skipped ?? 'not run' });
      continue;
    }
    const pick = (f: (s: Sample) => number) => median(samples.map(f));
    const walls = samples.map((s) => s.wallMs);
    const mid = samples.find((s) => s.wallMs === median(walls)) ?? samples[0];
    const rss = samples.flatMap((s) => (s.peakRssKb === undefined ? [] : [s.peakRssKb]));
    rows.push({
      scenario: first.scenario,
      subject: first.subject,
      runs: samples.length,
      wallMs: { median: median(walls), min: Math.min(...walls), max: Math.max(...walls) },
      up: pick((s) => s.up),
      down: pick((s) => s.down),
      requests: mid?.requests ?? {},
      ...(rss.length ? { peakRssKb: Math.max(...rss) } : {}),
    });
  }
  return rows.sort((a, b) =>
    a.scenario === b.scenario ? SUBJECT_ORDER.indexOf(a.subject) - SUBJECT_ORDER.indexOf(b.subject) : a.scenario < b.scenario ? -1 : 1,
  );
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function requestsText(requests: Readonly<Record<string, number>> | undefined): string {
  if (!requests) return '';
  const entries = Object.entries(requests).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return total === 0 ? '0' : `${total} (${entries.map(([t, c]) => `${c} ${t}`).join(', ')})`;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['scenario', 'subject', 'wall: median (min–max)', 'up', 'down', 'S3 requests', 'peak RSS'];
  const body = rows.map((r) =>
    r.skipped
      ? [r.scenario, r.subject, `— (${r.skipped})`, '', '', '', '']
      : [
          r.scenario,
          r.subject,
          r.wallMs ? `${seconds(r.wallMs.median)} (${seconds(r.wallMs.min)}–${seconds(r.wallMs.max)})` : '',
          formatBytes(r.up ?? 0),
          formatBytes(r.down ?? 0),
          requestsText(r.requests),
          r.peakRssKb === undefined ? '' : formatBytes(r.peakRssKb * 1024),
        ],
  );
  const lines = [header, ...body];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (l: readonly string[]) => `| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(fmt)].join('\n');
}

export async function saveJson(dir: string, payload: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}
