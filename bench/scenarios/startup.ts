// Scenario 5: how long until a helper answers git's `capabilities`, next to `node -e 0` (Node's own
// start-up) and the Python peer (which also lists the bucket before it answers).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import type { Measurement, Scenario } from '../scenario.js';
import type { BenchWorld, Subject } from '../world.js';

const HELPER = join(REPO_ROOT, 'packages', 'remote-helper', 'dist', 'main.js');

function untilCapabilities(command: string, args: readonly string[], env: NodeJS.ProcessEnv, ask: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n\n')) {
        child.stdin.end('\n');
        resolve();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!ask && code === 0) resolve();
      else if (!out.includes('\n\n')) reject(new Error(`${command} exited ${code} before answering: ${stderr.slice(-500)}`));
    });
    if (ask) child.stdin.write('capabilities\n');
    else child.stdin.end();
  });
}

export const startupScenario: Scenario = {
  name: 'startup',
  title: 'helper start-up to the capabilities answer',
  async setup() {},
  async run(world: BenchWorld): Promise<Measurement[]> {
    const url = `s3://${world.bucket}/startup`;
    const subjects: [Subject, () => Promise<void>][] = [
      ['node -e 0', () => untilCapabilities('node', ['-e', '0'], world.env('ours'), false)],
      ['ours', () => untilCapabilities('node', [HELPER, 'origin', url], world.env('ours'), true)],
    ];
    if (world.options.withPeer) {
      subjects.push(['awslabs (python)', () => untilCapabilities('git-remote-s3', ['origin', url], world.env('awslabs (python)'), true)]);
    }
    const out: Measurement[] = [];
    for (const [subject, work] of subjects) {
      // Several starts per run: single starts are too short to time alone.
      const samples = [];
      for (let i = 0; i < 5; i++) samples.push(await world.measure(work));
      samples.sort((a, b) => a.wallMs - b.wallMs);
      out.push({ scenario: '5 start-up to capabilities', subject, sample: samples[2] });
    }
    return out;
  },
};
