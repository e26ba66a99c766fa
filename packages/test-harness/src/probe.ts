// Capability probe run before any e2e test: the whole design rests on S3 conditional writes, so a server
// that ignores If-None-Match or If-Match must fail the run loudly instead of passing lock tests by luck.
import { type ObjectStore, PreconditionFailedError } from '@git-remote-s3/core';

const RACERS = 20;

export async function probeConditionalWrites(store: ObjectStore, prefix: string): Promise<void> {
  const failures: string[] = [];
  const key = `${prefix}/create-only`;
  await store.put(key, 'first', { ifNoneMatch: '*' });
  if (!(await rejects(() => store.put(key, 'second', { ifNoneMatch: '*' })))) {
    failures.push('a second If-None-Match: * write of an existing key was accepted (expected 412)');
  }
  const { etag } = await store.put(`${prefix}/replace`, 'one');
  if (!(await rejects(() => store.put(`${prefix}/replace`, 'two', { ifMatch: '"0123456789abcdef0123456789abcdef"' })))) {
    failures.push('an If-Match write with a wrong ETag was accepted (expected 412)');
  }
  if (await rejects(() => store.put(`${prefix}/replace`, 'three', { ifMatch: etag }))) {
    failures.push('an If-Match write with the current ETag was refused (expected 200)');
  }
  // Lock takeover and every ref-table commit rely on racing If-Match writers: one must win, the rest get 412.
  const current = await store.put(`${prefix}/race-replace`, 'base');
  for (const [what, write] of [
    ['If-None-Match: *', (i: number) => store.put(`${prefix}/race`, `racer ${i}`, { ifNoneMatch: '*' })],
    ['If-Match', (i: number) => store.put(`${prefix}/race-replace`, `racer ${i}`, { ifMatch: current.etag })],
  ] as const) {
    const racers = await Promise.allSettled(Array.from({ length: RACERS }, (_, i) => write(i)));
    const winners = racers.filter((r) => r.status === 'fulfilled').length;
    if (winners !== 1) failures.push(`${winners} of ${RACERS} racing ${what} writes succeeded (expected exactly 1)`);
    const unexpected = racers.find((r) => r.status === 'rejected' && !(r.reason instanceof PreconditionFailedError));
    if (unexpected && unexpected.status === 'rejected') failures.push(`a racing ${what} write failed oddly: ${String(unexpected.reason)}`);
  }
  await store.deleteMany([key, `${prefix}/replace`, `${prefix}/race`, `${prefix}/race-replace`]);
  if (failures.length > 0) {
    throw new Error(
      `the test S3 server does not enforce conditional writes, so lock tests would prove nothing:\n- ${failures.join('\n- ')}`,
    );
  }
}

async function rejects(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return false;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return true;
    throw error;
  }
}
