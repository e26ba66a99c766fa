// A separate process that competes for a ref lock, for the lock e2e tests: waits for a common start time,
// tries once, reports what happened as JSON lines on stdout, holds the lock (heartbeat running, doing
// real writes like a busy pusher) for `holdMs` or until killed, then releases it.
import { acquireLock, GitRemoteS3Error, openStore } from '@git-remote-s3/core';

interface ContenderConfig {
  readonly bucket: string;
  readonly key: string;
  readonly ttlMs: number;
  readonly startAt: number;
  /** How long to hold; -1 holds until killed. */
  readonly holdMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ContenderConfig;
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...event })}\n`);

const store = await openStore({ bucket: config.bucket });
await new Promise((r) => setTimeout(r, Math.max(0, config.startAt - Date.now())));
try {
  const lock = await acquireLock(store, config.key, {
    ttlMs: config.ttlMs,
    ref: 'refs/heads/main',
    remoteUrl: `s3://${config.bucket}/repo`,
  });
  say({ event: 'acquired', at: Date.now() });
  const until = config.holdMs < 0 ? Number.POSITIVE_INFINITY : Date.now() + config.holdMs;
  let writes = 0;
  while (Date.now() < until) {
    // Busy the way a pusher is busy: a stream of writes, with the heartbeat running alongside.
    await store.put(`${config.key}.work/${writes++ % 4}`, `work ${writes}`);
    lock.assertHeld();
    await new Promise((r) => setTimeout(r, 200));
  }
  // When it lets go: the lock is ours at least until then (its delete lands later still).
  const releasing = Date.now();
  await lock.release();
  say({ event: 'released', at: Date.now(), releasing, writes });
} catch (error) {
  say({ event: 'refused', code: error instanceof GitRemoteS3Error ? error.code : 'unexpected', message: (error as Error).message });
} finally {
  store.close();
}
