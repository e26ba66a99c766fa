// What `git s3 gc` tells the user: what it consolidated, what it deleted, and what it keeps for concurrent
// readers and pushers with the time a later gc may delete it. Pure: the command prints these lines.
import { formatAge, formatBytes } from '@git-remote-s3/core';
import type { PackGroup, Waiting } from './gc-plan.js';

export interface Consolidation {
  readonly packs: number;
  /** All files of the consolidated packs. */
  readonly bytes: number;
  /** The pack written; absent in a dry run, or when another gc had consolidated them first. */
  readonly result?: { readonly name: string; readonly bytes: number; readonly objects: number; readonly listed: boolean };
}

export interface GcReport {
  readonly display: string;
  readonly graceMs: number;
  readonly dryRun: boolean;
  /** The server's clock: times shown are on it. */
  readonly now: Date;
  /** Packs the list named when gc began, and after it (undefined in a dry run). */
  readonly listedBefore: number;
  readonly listedAfter: number | undefined;
  readonly consolidated: Consolidation | undefined;
  readonly deletedRetired: readonly PackGroup[];
  readonly deletedOrphans: readonly PackGroup[];
  readonly keptRetired: readonly Waiting[];
  readonly keptOrphans: readonly Waiting[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const packs = (n: number, adjective = '') => plural(n, `${adjective ? `${adjective} ` : ''}pack`);
const sizeOf = (groups: readonly PackGroup[]) => formatBytes(groups.reduce((n, g) => n + g.bytes, 0));

/** `2026-01-02T14:00:00Z`: the server's time, to the second. */
const formatTime = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function formatGcReport(report: GcReport): string[] {
  const lines = [`gc: ${report.display} (grace period ${formatAge(report.graceMs)})`, consolidationLine(report)];
  const would = report.dryRun ? 'would delete' : 'deleted';
  if (report.deletedRetired.length > 0) {
    lines.push(`${would} ${packs(report.deletedRetired.length, 'retired')} (${sizeOf(report.deletedRetired)}): their grace period is over`);
  }
  if (report.deletedOrphans.length > 0) {
    lines.push(
      `${would} ${packs(report.deletedOrphans.length, 'orphan')} (${sizeOf(report.deletedOrphans)}): listed nowhere for longer than the grace period and at least an hour (left by an interrupted push)`,
    );
  }
  const kept = report.keptRetired.length;
  if (kept > 0) {
    lines.push(
      `${packs(kept, 'retired')} (${sizeOf(report.keptRetired.map((w) => w.group))}) ${kept === 1 ? 'stays' : 'stay'} for clones and fetches that listed ${kept === 1 ? 'it' : 'them'}; ${deletableWhen(report.keptRetired, report.now, kept === 1 ? 'it' : 'them')}`,
    );
  }
  const young = report.keptOrphans.length;
  if (young > 0) {
    lines.push(
      `${plural(young, 'unlisted pack')} (${sizeOf(report.keptOrphans.map((w) => w.group))}) too young to judge ${young === 1 ? 'stays' : 'stay'} (a push may be listing ${young === 1 ? 'it' : 'them'}); ${deletableWhen(report.keptOrphans, report.now, young === 1 ? 'it' : 'them')} if still unlisted`,
    );
  }
  lines.push(
    report.dryRun || report.listedAfter === undefined
      ? 'gc: dry run, nothing changed'
      : `gc: done; the pack list names ${packs(report.listedAfter)}`,
  );
  return lines;
}

function consolidationLine(report: GcReport): string {
  const c = report.consolidated;
  if (!c) return `nothing to consolidate: the pack list names ${packs(report.listedBefore)}`;
  const what = `${packs(c.packs)} (${formatBytes(c.bytes)})`;
  if (report.dryRun) return `would consolidate ${what} into one and retire them for the grace period`;
  if (!c.result) return `nothing to consolidate: ${what} were consolidated meanwhile`;
  const into = `${c.result.name} (${formatBytes(c.result.bytes)}, ${plural(c.result.objects, 'object')})`;
  return c.result.listed
    ? `consolidated ${what} into ${into}`
    : `wrote ${into} from ${what}, but another gc had replaced them in the pack list first; a later gc deletes it`;
}

/** `a gc may delete them after <time> (in 59m58s)`, or the span from the first to the last. */
function deletableWhen(waiting: readonly Waiting[], now: Date, them: string): string {
  const times = waiting.map((w) => w.until.getTime());
  const at = (ms: number) => `${formatTime(new Date(ms))} (in ${formatAge(ms - now.getTime())})`;
  const first = Math.min(...times);
  const last = Math.max(...times);
  return first === last
    ? `a gc may delete ${them} after ${at(first)}`
    : `a gc may delete ${them} from ${at(first)}, the last after ${at(last)}`;
}
