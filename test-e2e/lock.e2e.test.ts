// Ref locks against the real S3 server, with separate OS processes as contenders: one winner of a race,
// a busy holder never overtaken thanks to its heartbeat, a dead holder's lock taken over after the TTL.
import { spawn } from 'node:child_process';
import { acquireLock, LockHeldError } from '@git-remote-s3/core';
import { test, type World } from '@git-remote-s3/test-harness/context';
import { LOCK_CONTENDER, REPO_ROOT } from '@git-remote-s3/test-harness/paths';
import { describe, expect } from 'vitest';

interface ContenderEvent {
  readonly pid: number;
  readonly event: 'acquired' | 'released' | 'refused';
  readonly code?: string;
  readonly at?: number;
  /** On `released`: when it began to let go (a hold is at least acquired.at → releasing). */
  readonly releasing?: number;
}

function contender(world: World, config: { key: string; ttlMs: number; startAt: number; holdMs: number }) {
  // node itself (not the tsx wrapper, which forks) so that SIGKILL kills the holder and nothing else.
  const child = spawn(process.execPath, ['--import', 'tsx', LOCK_CONTENDER, JSON.stringify({ bucket: world.bucket, ...config })], {
    cwd: REPO_ROOT,
    env: world.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: ContenderEvent[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      events.push(JSON.parse(buffered.slice(0, nl)) as ContenderEvent);
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, events, exited, stderr: () => stderr };
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lockOptions = (ttlMs: number) => ({ ttlMs, ref: 'refs/heads/main', remoteUrl: 's3://bucket/repo' });

describe('ref lock on a real S3 server', () => {
  test('of 10 processes racing for one lock exactly one holds it', async ({ world }) => {
    const key = 'repo/refs/heads/main/LOCK#.lock';
    const startAt = Date.now() + 4000;
    const racers = Array.from({ length: 10 }, () => contender(world, { key, ttlMs: 60_000, startAt, holdMs: 1500 }));
    const codes = await Promise.all(racers.map((r) => r.exited));
    expect(codes, racers.map((r) => r.stderr()).join('\n')).toEqual(Array(10).fill(0));
    const firsts = racers.map((r) => r.events[0]);
    // On a loaded machine a racer may start after the winner let go and then win fairly: what must hold is
    // that no two holds overlap, and that every racer that did not hold it was refused as held. A true hold
    // spans at least acquired.at → releasing (its write landed before the one, its delete after the other).
    const holds = racers
      .filter((r) => r.events[0]?.event === 'acquired')
      .map((r) => ({ from: Number(r.events[0]?.at), to: Number(r.events[1]?.releasing) }))
      .sort((a, b) => a.from - b.from);
    expect(holds.length).toBeGreaterThanOrEqual(1);
    for (const [i, hold] of holds.entries()) {
      expect(racers.find((r) => Number(r.events[0]?.at) === hold.from)?.events[1]?.event).toBe('released');
      if (i > 0) expect(hold.from).toBeGreaterThanOrEqual(holds[i - 1]?.to ?? Number.POSITIVE_INFINITY);
    }
    const refused = firsts.filter((e) => e?.event === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((e) => e?.code === 'lock-held')).toBe(true);
    expect(holds.length + refused.length).toBe(10);
    expect(await world.store.head(key)).toBeUndefined();
  });

  test('a busy holder with a 2 s TTL keeps its lock for 7 s and nobody takes it over', async ({ world }) => {
    const key = 'repo/refs/heads/busy/LOCK#.lock';
    const holder = contender(world, { key, ttlMs: 2000, startAt: 0, holdMs: 7000 });
    await waitFor(() => holder.events.length > 0, 30_000, 'the holder to take the lock');
    expect(holder.events[0]?.event).toBe('acquired');
    let refusals = 0;
    while (!holder.events.some((e) => e.event === 'released')) {
      try {
        const stolen = await acquireLock(world.store, key, lockOptions(2000));
        await stolen.release();
        // Only acceptable after the holder released it between our check and our try.
        expect(holder.events.some((e) => e.event === 'released')).toBe(true);
        break;
      } catch (error) {
        expect(error).toBeInstanceOf(LockHeldError);
        refusals++;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await holder.exited).toBe(0);
    expect(refusals).toBeGreaterThanOrEqual(8);
    const mine = await acquireLock(world.store, key, lockOptions(2000));
    await mine.release();
  });

  test("a dead holder's lock is refused while fresh and taken over once older than the TTL", async ({ world }) => {
    const key = 'repo/refs/heads/dead/LOCK#.lock';
    const holder = contender(world, { key, ttlMs: 2000, startAt: 0, holdMs: -1 });
    await waitFor(() => holder.events.length > 0, 30_000, 'the holder to take the lock');
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    await expect(acquireLock(world.store, key, lockOptions(2000))).rejects.toThrow(
      /ref refs\/heads\/main is locked by another push \(s3:\/\/.*LOCK#\.lock, \d+s old\); retry when it is done \(a lock left by a push that died is stale in \d+s, and the next push then takes it over\)/,
    );
    let taken: Awaited<ReturnType<typeof acquireLock>> | undefined;
    while (!taken) {
      try {
        taken = await acquireLock(world.store, key, lockOptions(2000));
      } catch (error) {
        expect(error).toBeInstanceOf(LockHeldError);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    // Last-Modified has one-second resolution, so "older than 2 s" shows between about 2 and 4 s after the last write.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1500);
    expect(Date.now() - killedAt).toBeLessThan(8000);
    taken.assertHeld();
    await taken.release();
    expect(await world.store.head(key)).toBeUndefined();
  });

  test('a holder whose lock was taken over learns it before committing and leaves the new lock in place', async ({ world }) => {
    const key = 'repo/refs/heads/lost/LOCK#.lock';
    const lock = await acquireLock(world.store, key, lockOptions(900));
    const before = await world.store.head(key);
    // Someone replaces the lock behind our back, as the taker of a stale lock does.
    await world.store.put(key, 'intruder', { ifMatch: before?.etag ?? '' });
    await waitFor(() => lock.signal.aborted, 5000, 'the heartbeat to notice the takeover');
    expect(() => lock.assertHeld()).toThrow(/lost the lock .*lost\/LOCK#\.lock while pushing/);
    await lock.release();
    expect((await world.store.getText(key))?.text).toBe('intruder');
  });

  test('a holder whose lock was deleted (doctor --delete-stale-locks) learns it at a heartbeat, long before the TTL', async ({ world }) => {
    const key = 'repo/refs/heads/deleted/LOCK#.lock';
    // A 9 s TTL refreshes every 3 s; waiting for a fallback at the TTL would take over 9 s.
    const lock = await acquireLock(world.store, key, lockOptions(9000));
    await world.store.delete(key);
    await waitFor(() => lock.signal.aborted, 6500, 'the heartbeat to notice the deletion');
    expect(() => lock.assertHeld()).toThrow(/lost the lock .*deleted\/LOCK#\.lock while pushing/);
    await lock.release();
    expect(await world.store.head(key)).toBeUndefined();
  });

  test('release leaves a lock that was replaced before the heartbeat could notice', async ({ world }) => {
    const key = 'repo/refs/heads/swapped/LOCK#.lock';
    const lock = await acquireLock(world.store, key, lockOptions(60_000));
    const before = await world.store.head(key);
    await world.store.put(key, 'intruder', { ifMatch: before?.etag ?? '' });
    await lock.release();
    expect((await world.store.getText(key))?.text).toBe('intruder');
  });
});
