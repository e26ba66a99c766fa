import { describe, expect, it } from 'vitest';
import { AccessDeniedError, NetworkError, NotFoundError, PreconditionFailedError, S3RequestError } from './errors.js';
import { isOwnUpload, mayHaveLanded } from './own-write.js';
import { MemoryStore } from './test-support/memory-store.js';

describe('mayHaveLanded', () => {
  const refused = new PreconditionFailedError('b', 'k', 'If-None-Match: *');

  it('takes a 412 to the only attempt as the store refusing the write', () => {
    expect(mayHaveLanded(refused, 1)).toBe(false);
  });

  it('takes a 412 after a retry as possibly our own first attempt', () => {
    expect(mayHaveLanded(refused, 2)).toBe(true);
  });

  it('takes a 5xx or a network failure as saying nothing about the write', () => {
    expect(mayHaveLanded(new S3RequestError('PutObject', 'b', 'k', 500, 'InternalError'), 4)).toBe(true);
    expect(mayHaveLanded(new S3RequestError('PutObject', 'b', 'k', 503, 'SlowDown'), 1)).toBe(true);
    expect(mayHaveLanded(new NetworkError('http://s3', 'ECONNRESET'), 4)).toBe(true);
  });

  it('takes a 4xx other than 412 as a write that did not land', () => {
    expect(mayHaveLanded(new S3RequestError('PutObject', 'b', 'k', 400, 'InvalidRequest'), 2)).toBe(false);
    expect(mayHaveLanded(new AccessDeniedError('PutObject', 'b', 'k', undefined), 2)).toBe(false);
    expect(mayHaveLanded(new NotFoundError('b', 'k'), 2)).toBe(false);
  });
});

describe('a conditional write whose answer was lost', () => {
  it('is recognised as ours when the retry of a create-only write meets it (412)', async () => {
    const store = new MemoryStore();
    store.loseAnswers('retried');
    const { etag } = await store.put('k', 'mine', { ifNoneMatch: '*' });
    expect(store.lostAnswers).toBe(1);
    expect(etag).toBe((await store.getText('k'))?.etag);
  });

  it('is recognised as ours after a 500 or a reset that followed the write', async () => {
    const store = new MemoryStore();
    store.loseAnswers('500', 'reset');
    const first = await store.put('a', 'one', { ifNoneMatch: '*' });
    const second = await store.put('a', 'two', { ifMatch: first.etag });
    expect(store.lostAnswers).toBe(2);
    expect(await store.getText('a')).toStrictEqual({ text: 'two', etag: second.etag });
  });

  it('returns the stored ETag, so the next If-Match write succeeds', async () => {
    const store = new MemoryStore();
    const first = await store.put('t', 'v1', { ifNoneMatch: '*' });
    store.loseAnswers('retried');
    const second = await store.put('t', 'v2', { ifMatch: first.etag });
    await expect(store.put('t', 'v3', { ifMatch: second.etag })).resolves.toBeDefined();
    expect((await store.getText('t'))?.text).toBe('v3');
  });

  it('stays a 412 when the first attempt is refused because a rival holds the key', async () => {
    const store = new MemoryStore();
    store.plant('k', 'mine');
    // Same bytes, but the only attempt was refused: the key is the rival's, not a write of ours.
    await expect(store.put('k', 'mine', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it("stays a 412 when the retried write's key holds a rival's bytes", async () => {
    const store = new MemoryStore();
    const first = await store.put('k', 'v1', { ifNoneMatch: '*' });
    store.loseAnswers('retried');
    // Our write lands, a rival replaces it before our retry: the key is no longer what we wrote.
    store.meanwhile(() => store.plant('k', 'rival'));
    await expect(store.put('k', 'ours', { ifMatch: first.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await store.getText('k'))?.text).toBe('rival');
  });

  it('keeps the failure when the write never reached the store', async () => {
    const store = new MemoryStore();
    store.failWrites(new S3RequestError('PutObject', 'memory', 'k', 500, 'InternalError'));
    await expect(store.put('k', 'mine', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(S3RequestError);
    expect(store.keys()).toStrictEqual([]);
  });

  it('keeps the failure when reading the key back fails too', async () => {
    const store = new MemoryStore();
    store.loseAnswers('reset');
    store.failReads(1);
    await expect(store.put('k', 'mine', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('isOwnUpload', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const written = (secondsAgo: number, size = 1000) => ({
    size,
    lastModified: new Date(now.getTime() - secondsAgo * 1000),
    serverTime: now,
  });
  const completedBefore = new NotFoundError('b', 'k'); // the retried completion: NoSuchUpload

  it('takes an object of the size sent, written since the upload began, as the upload that landed', () => {
    expect(isOwnUpload(completedBefore, written(3), 1000, 10_000)).toBe(true);
    expect(isOwnUpload(new NetworkError('http://s3', 'ECONNRESET'), written(0), 1000, 500)).toBe(true);
  });

  it('does not take an object of another size', () => {
    expect(isOwnUpload(completedBefore, written(3, 999), 1000, 10_000)).toBe(false);
  });

  it('does not take an object written before the upload began', () => {
    expect(isOwnUpload(completedBefore, written(60), 1000, 10_000)).toBe(false);
  });

  it('does not take a missing object, or a failure that says the upload did not land', () => {
    expect(isOwnUpload(completedBefore, undefined, 1000, 10_000)).toBe(false);
    expect(isOwnUpload(new AccessDeniedError('PutObject', 'b', 'k', undefined), written(1), 1000, 10_000)).toBe(false);
  });
});
