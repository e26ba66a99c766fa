// `pnpm bench [scenario…] [--quick] [--runs N] [--latency-ms N] [--bandwidth-mbps N] [--with-peer]`:
// DESIGN §9's benchmark harness. Starts the embedded S3 server behind a counting proxy (optionally slowed
// to mimic a real region), runs each scenario several times for ours and the baselines, prints a table
// and writes JSON to bench/results/ (not committed). Asserts nothing about speed.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import { formatTable, saveJson, summarize } from './report.js';
import { FULL, type Measurement, QUICK, type Scenario } from './scenario.js';
import { historyScenario } from './scenarios/history.js';
import { lfsScenario } from './scenarios/lfs.js';
import { refsScenario } from './scenarios/refs.js';
import { startupScenario } from './scenarios/startup.js';
import { openBenchWorld } from './world.js';

const SCENARIOS: readonly Scenario[] = [historyScenario, startupScenario, lfsScenario, refsScenario];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    'bandwidth-mbps': { type: 'string' },
    'with-peer': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    `usage: pnpm bench [${SCENARIOS.map((s) => s.name).join('|')}…] [--quick] [--runs N] [--latency-ms N] [--bandwidth-mbps N] [--with-peer] [--out <dir>]\n\n${SCENARIOS.map((s) => `  ${s.name.padEnd(8)} ${s.title}`).join('\n')}\n`,
  );
  process.exit(0);
}

const unknown = positionals.filter((p) => !SCENARIOS.some((s) => s.name === p));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const chosen = positionals.length ? SCENARIOS.filter((s) => positionals.includes(s.name)) : SCENARIOS;
const sizes = values.quick ? QUICK : FULL;
const runs = Number(values.runs ?? (values.quick ? 1 : 3));
const options = {
  latencyMs: Number(values['latency-ms']),
  bandwidthMbps: values['bandwidth-mbps'] ? Number(values['bandwidth-mbps']) : undefined,
  withPeer: values['with-peer'] ?? false,
};
if (!Number.isInteger(runs) || runs < 1 || !Number.isFinite(options.latencyMs) || options.latencyMs < 0) {
  process.stderr.write('bench: --runs must be a positive whole number and --latency-ms a number of milliseconds\n');
  process.exit(2);
}

const started = Date.now();
const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
say(
  `${values.quick ? 'quick' : 'full'} run, ${runs} run(s) each, proxy latency ${options.latencyMs} ms, bandwidth ${options.bandwidthMbps ? `${options.bandwidthMbps} Mbit/s` : 'unlimited'}${options.withPeer ? ', with the Python peer' : ''}`,
);
const world = await openBenchWorld(options);
const measurements: Measurement[] = [];
try {
  for (const scenario of chosen) {
    say(`${scenario.name}: preparing`);
    await scenario.setup(world, sizes);
    for (let run = 0; run < runs; run++) {
      const t = Date.now();
      measurements.push(...(await scenario.run(world, sizes, run)));
      say(`${scenario.name}: run ${run + 1}/${runs} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  }
} finally {
  await world.close();
}

const rows = summarize(measurements);
process.stdout.write(`${formatTable(rows)}\n`);
const file = await saveJson(values.out ?? join(REPO_ROOT, 'bench', 'results'), {
  date: new Date().toISOString(),
  options,
  sizes,
  runs,
  rows,
  measurements,
});
const incomplete = rows.filter((r) => !r.skipped && (r.wallMs === undefined || !Number.isFinite(r.wallMs.median)));
say(`${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s; JSON in ${file}`);
if (incomplete.length > 0) {
  say(`scenarios without numbers: ${incomplete.map((r) => `${r.scenario} (${r.subject})`).join(', ')}`);
  process.exitCode = 1;
}
