import { describe, expect, it } from 'vitest';
import { CorruptObjectError } from '../errors.js';
import { formatPushLogEntry, isPushLogKey, type PushLogEntry, parsePushLogEntry, pushLogKey, pushLogPrefix } from './push-log.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const entry: PushLogEntry = {
  version: 1,
  kind: 'push',
  time: '2026-11-30T06:31:08.123Z',
  pusher: { name: 'A U Thor', email: 'author@example.com' },
  tool: 'git-remote-s3/0.2.0',
  updates: [{ ref: 'refs/heads/main', old: A, new: B, forced: true, deleted: false }],
};

describe('push log keys', () => {
  it('names an entry by its UTC time to the millisecond and a random suffix, under <prefix>/logs/', () => {
    expect(pushLogKey('repo', new Date('2026-11-30T06:31:08.123Z'), '0a1b2c3d')).toBe('repo/logs/20261130T063108.123Z-0a1b2c3d.json');
    expect(pushLogPrefix('a/b')).toBe('a/b/logs/');
  });

  it('sorts keys in time order, also across a day, a year and equal milliseconds', () => {
    const times = ['2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.001Z'];
    const keys = times.map((t, i) => pushLogKey('p', new Date(t), `0000000${i}`));
    expect([...keys].reverse().sort()).toStrictEqual(keys);
  });

  it('tells its own entries from anything else under logs/ (git reflogs, other files)', () => {
    expect(isPushLogKey('p', 'p/logs/20261130T063108.123Z-0a1b2c3d.json')).toBe(true);
    expect(isPushLogKey('p', 'p/logs/HEAD')).toBe(false);
    expect(isPushLogKey('p', 'p/logs/refs/heads/main')).toBe(false);
    expect(isPushLogKey('p', 'q/logs/20261130T063108.123Z-0a1b2c3d.json')).toBe(false);
    expect(isPushLogKey('p', 'p/logs/20261130T063108.123Z-0a1b2c3d.json.tmp')).toBe(false);
  });
});

describe('push log entries', () => {
  it('reads back what it writes', () => {
    expect(parsePushLogEntry(formatPushLogEntry(entry), 'k')).toStrictEqual(entry);
  });

  it('reads a created and a deleted ref (null ids)', () => {
    const updates = [
      { ref: 'refs/heads/new', old: null, new: B, forced: false, deleted: false },
      { ref: 'refs/tags/v1', old: A, new: null, forced: false, deleted: true },
    ];
    expect(parsePushLogEntry(JSON.stringify({ ...entry, updates }), 'k').updates).toStrictEqual(updates);
  });

  const corrupt: [string, unknown][] = [
    ['not JSON', '{'],
    ['a JSON array', []],
    ['a newer format', { ...entry, version: 2 }],
    ['an unknown kind', { ...entry, kind: 'merge' }],
    ['a bad time', { ...entry, time: 'yesterday' }],
    ['a name with a control character', { ...entry, pusher: { name: 'x\u001b[31m', email: 'e' } }],
    ['an email with angle brackets', { ...entry, pusher: { name: 'x', email: 'a> evil <b' } }],
    ['no updates', { ...entry, updates: [] }],
    ['a ref name git refuses', { ...entry, updates: [{ ...entry.updates[0], ref: 'refs/heads/a..b' }] }],
    ['a ref outside refs/', { ...entry, updates: [{ ...entry.updates[0], ref: '../../etc' }] }],
    ['an id that is not hex', { ...entry, updates: [{ ...entry.updates[0], new: 'HEAD~1' }] }],
    ['a short id', { ...entry, updates: [{ ...entry.updates[0], old: 'abc1234' }] }],
    ['deleted with a new id', { ...entry, updates: [{ ...entry.updates[0], deleted: true }] }],
    ['forced not a boolean', { ...entry, updates: [{ ...entry.updates[0], forced: 'yes' }] }],
  ];
  it.each(corrupt)('refuses %s as a corrupt entry naming its key', (_what, body) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    expect(() => parsePushLogEntry(text, 's3://b/p/logs/x.json')).toThrow(CorruptObjectError);
    expect(() => parsePushLogEntry(text, 's3://b/p/logs/x.json')).toThrow(/^s3:\/\/b\/p\/logs\/x\.json is corrupt: not a push log entry/);
  });
});
