import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, PreconditionFailedError, S3RequestError } from '../errors.js';
import { MemoryStore } from './memory-store.js';

const RACERS = 20;
const MiB = 1024 * 1024;

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/** The scenarios of the MinIO capability probe (test-e2e/harness/probe.ts), one test each. */
describe('the in-memory store on the capability probe scenarios', () => {
  it('refuses a second If-None-Match: * write of an existing key with 412 and keeps the first', async () => {
    const store = new MemoryStore();
    await store.put('p/create-only', 'first', { ifNoneMatch: '*' });
    await expect(store.put('p/create-only', 'second', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await store.getText('p/create-only'))?.text).toBe('first');
  });

  it('refuses an If-Match write with a wrong ETag with 412', async () => {
    const store = new MemoryStore();
    await store.put('p/replace', 'one');
    await expect(store.put('p/replace', 'two', { ifMatch: '"0123456789abcdef0123456789abcdef"' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await store.getText('p/replace'))?.text).toBe('one');
  });

  it('accepts an If-Match write with the current ETag and answers the new one', async () => {
    const store = new MemoryStore();
    const { etag } = await store.put('p/replace', 'one');
    const replaced = await store.put('p/replace', 'three', { ifMatch: etag });
    expect(replaced.etag).not.toBe(etag);
    expect(await store.getText('p/replace')).toStrictEqual({ text: 'three', etag: replaced.etag });
  });

  it('lets exactly one of 20 racing If-None-Match: * writes win, the others get 412', async () => {
    const store = new MemoryStore();
    const racers = await Promise.allSettled(
      Array.from({ length: RACERS }, (_, i) => store.put('p/race', `racer ${i}`, { ifNoneMatch: '*' })),
    );
    expect(racers.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const losers = racers.filter((r) => r.status === 'rejected');
    expect(losers.every((r) => r.reason instanceof PreconditionFailedError)).toBe(true);
  });

  it('lets exactly one of 20 racing If-Match writes on the same ETag win, the others get 412', async () => {
    const store = new MemoryStore();
    const current = await store.put('p/race-replace', 'base');
    const racers = await Promise.allSettled(
      Array.from({ length: RACERS }, (_, i) => store.put('p/race-replace', `racer ${i}`, { ifMatch: current.etag })),
    );
    const winners = racers.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(racers.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof PreconditionFailedError)).toBe(true);
    expect((await store.getText('p/race-replace'))?.etag).toBe((winners[0] as PromiseFulfilledResult<{ etag: string }>).value.etag);
  });

  it("deletes the probe's keys in one multi-object delete", async () => {
    const store = new MemoryStore();
    for (const key of ['p/create-only', 'p/replace', 'p/race', 'p/race-replace']) await store.put(key, 'x');
    await store.deleteMany(['p/create-only', 'p/replace', 'p/race', 'p/race-replace']);
    expect(store.keys()).toStrictEqual([]);
    expect(store.requestCounts().DeleteObjects).toBe(1);
  });
});

describe('the in-memory store on what the code relies on beyond the probe', () => {
  afterEach(() => vi.useRealTimers());

  it('answers If-Match on a missing key with 404, as S3 and MinIO do', async () => {
    const store = new MemoryStore();
    await expect(store.put('k', 'x', { ifMatch: '"e"' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives an ETag that is the quoted MD5 of the bytes', async () => {
    const store = new MemoryStore();
    const { etag } = await store.put('k', 'hello');
    expect(etag).toBe(`"${createHash('md5').update('hello').digest('hex')}"`);
  });

  it('stamps Last-Modified at the write and answers HEAD with the server clock', async () => {
    vi.useFakeTimers({ now: new Date('2024-05-01T12:00:00Z') });
    const store = new MemoryStore();
    await store.put('k', 'x');
    vi.setSystemTime(new Date('2024-05-01T12:01:30Z'));
    const head = await store.head('k');
    expect(head?.lastModified.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(head?.serverTime.toISOString()).toBe('2024-05-01T12:01:30.000Z');
  });

  it('retries a write answered 409 ConditionalRequestConflict and lands it', async () => {
    const store = new MemoryStore();
    store.conflictNext(2);
    await store.put('k', 'x', { ifNoneMatch: '*' });
    expect((await store.getText('k'))?.text).toBe('x');
    expect(store.requestCounts().PutObject).toBe(3);
  });

  it('reports a conditional write still answered 409 after five retries, without carrying it out', async () => {
    const store = new MemoryStore();
    store.conflictNext(6);
    const refused = store.put('k', 'x', { ifNoneMatch: '*' });
    await expect(refused).rejects.toBeInstanceOf(S3RequestError);
    await expect(refused).rejects.toHaveProperty('data.status', 409);
    expect(store.keys()).toStrictEqual([]);
    expect(store.requestCounts().PutObject).toBe(6);
  });

  it('returns exactly the requested bytes of a ranged get, clamped at the end, and 416 past it', async () => {
    const store = new MemoryStore();
    await store.put('r', '0123456789');
    const middle = await store.get('r', { start: 3, end: 6 });
    expect(await text(middle.body)).toBe('3456');
    expect(middle.size).toBe(4);
    const tail = await store.get('r', { start: 8, end: 20 });
    expect(await text(tail.body)).toBe('89');
    await expect(store.get('r', { start: 10, end: 12 })).rejects.toHaveProperty('data.status', 416);
  });

  it('pages through more than one page and splits common prefixes with a delimiter', async () => {
    const store = new MemoryStore();
    const keys = Array.from({ length: 1005 }, (_, i) => `repo/refs/heads/b${String(i).padStart(4, '0')}/x`);
    for (const key of keys) store.plant(key, '');
    store.plant('repo/refs/heads/a/y', '');
    const all = await store.list('repo/refs/');
    expect(all.objects).toHaveLength(1006);
    expect(store.requestCounts().ListObjectsV2).toBe(2);
    const dirs = await store.list('repo/refs/heads/', '/');
    expect(dirs.commonPrefixes).toHaveLength(1006);
    expect(dirs.commonPrefixes[0]).toBe('repo/refs/heads/a/');
    expect(store.requestCounts().ListObjectsV2).toBe(4);
    await store.deleteMany(all.objects.map((o) => o.key));
    expect((await store.list('repo/')).objects).toHaveLength(0);
    expect(store.requestCounts().DeleteObjects).toBe(2);
  });

  it('counts one listing request for an empty prefix', async () => {
    const store = new MemoryStore({ pageSize: 2 });
    expect((await store.list('none/')).objects).toStrictEqual([]);
    expect(store.requestCounts().ListObjectsV2).toBe(1);
  });

  it('uploads a body larger than one part in parts of the tuned size, with a multipart ETag', async () => {
    const store = new MemoryStore({ transfer: { partSize: 5 * MiB } });
    const body = Buffer.alloc(12 * MiB, 7);
    let progress = 0;
    const { etag } = await store.upload('big', Readable.from([body]), { onProgress: (n) => (progress = n) });
    expect(store.requestCounts()).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
    expect(etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(progress).toBe(12 * MiB);
    expect((await store.head('big'))?.size).toBe(12 * MiB);
  });

  it('uploads a body that fits in one part with one PutObject, honouring If-None-Match: *', async () => {
    const store = new MemoryStore();
    await store.upload('small', Readable.from([Buffer.from('abc')]), { ifNoneMatch: '*' });
    await expect(store.upload('small', Readable.from([Buffer.from('def')]), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect(store.requestCounts().PutObject).toBe(2);
    expect((await store.getText('small'))?.text).toBe('abc');
  });

  it('refuses a multipart upload with If-None-Match: * on completion when the key exists', async () => {
    const store = new MemoryStore({ transfer: { partSize: 5 * MiB } });
    store.plant('big', 'already');
    await expect(store.upload('big', Readable.from([Buffer.alloc(6 * MiB)]), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await store.getText('big'))?.text).toBe('already');
  });

  it('says a missing key is absent to head and getText, and not found to get', async () => {
    const store = new MemoryStore();
    expect(await store.head('none')).toBeUndefined();
    expect(await store.getText('none')).toBeUndefined();
    await expect(store.get('none')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps the metadata a write set', async () => {
    const store = new MemoryStore();
    await store.put('k', 'x', { metadata: { summary: 'abc' } });
    expect((await store.head('k'))?.metadata).toStrictEqual({ summary: 'abc' });
  });
});
