// What a benchmark scenario is: a set-up once, then measured runs; each run yields one sample per
// subject (ours and the baselines), or says why a subject cannot do it.
import type { BenchWorld, Sample, Subject } from './world.js';

export interface Sizes {
  readonly quick: boolean;
  readonly commits: number;
  readonly bytesPerCommit: number;
  readonly lfsLarge: number;
  readonly lfsMedium: number;
  readonly lfsSmallCount: number;
  readonly lfsSmallSize: number;
}

export const FULL: Sizes = {
  quick: false,
  commits: 2000,
  bytesPerCommit: 50 * 1024,
  lfsLarge: 1024 ** 3,
  lfsMedium: 256 * 1024 ** 2,
  lfsSmallCount: 1000,
  lfsSmallSize: 10 * 1024,
};

export const QUICK: Sizes = {
  quick: true,
  commits: 200,
  bytesPerCommit: 10 * 1024,
  lfsLarge: 16 * 1024 ** 2,
  lfsMedium: 4 * 1024 ** 2,
  lfsSmallCount: 40,
  lfsSmallSize: 10 * 1024,
};

export interface Measurement {
  readonly scenario: string;
  readonly subject: Subject;
  readonly sample?: Sample;
  /** Why there is no sample (e.g. the peer cannot do SHA-256), shown in the table. */
  readonly skipped?: string;
}

export interface Scenario {
  readonly name: string;
  readonly title: string;
  /** Prepares what every run needs (repositories, files); not measured. */
  setup(world: BenchWorld, sizes: Sizes): Promise<void>;
  /** One measured run; `run` numbers from 0 so each run can use fresh prefixes. */
  run(world: BenchWorld, sizes: Sizes, run: number): Promise<Measurement[]>;
}
