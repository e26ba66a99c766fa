import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_TTL_MS, judgeLock } from './lock.js';

const WRITTEN = new Date('2024-05-01T12:00:00.000Z');
const after = (ms: number) => new Date(WRITTEN.getTime() + ms);

describe('judgeLock', () => {
  it('treats a lock written just now as fresh', () => {
    expect(judgeLock(WRITTEN, WRITTEN, 60_000)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('treats a lock younger than the TTL as fresh', () => {
    expect(judgeLock(WRITTEN, after(59_999), 60_000)).toStrictEqual({ stale: false, ageMs: 59_999 });
  });

  it('treats a lock exactly as old as the TTL as fresh', () => {
    expect(judgeLock(WRITTEN, after(60_000), 60_000)).toStrictEqual({ stale: false, ageMs: 60_000 });
  });

  it('treats a lock one millisecond older than the TTL as stale', () => {
    expect(judgeLock(WRITTEN, after(60_001), 60_000)).toStrictEqual({ stale: true, ageMs: 60_001 });
  });

  it('treats a lock far older than the TTL as stale', () => {
    expect(judgeLock(WRITTEN, after(3_600_000), 60_000)).toStrictEqual({ stale: true, ageMs: 3_600_000 });
  });

  it('uses the TTL it is given', () => {
    expect(judgeLock(WRITTEN, after(5_000), 4_000).stale).toBe(true);
    expect(judgeLock(WRITTEN, after(5_000), 6_000).stale).toBe(false);
  });

  it('gives age 0 and keeps the lock when the server clock is behind lastModified', () => {
    expect(judgeLock(WRITTEN, after(-120_000), 60_000)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('never calls a lock stale from clock skew even with a zero TTL', () => {
    expect(judgeLock(WRITTEN, after(-1), 0)).toStrictEqual({ stale: false, ageMs: 0 });
  });

  it('has a default TTL of one minute', () => {
    expect(DEFAULT_LOCK_TTL_MS).toBe(60_000);
  });
});
