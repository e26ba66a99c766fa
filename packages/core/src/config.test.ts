import { describe, expect, it } from 'vitest';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, type GitConfigValues, parseSize, resolveSettings } from './config.js';
import { BadConfigError } from './errors.js';
import { DEFAULT_LOCK_TTL_MS } from './lock.js';

const MiB = 1024 * 1024;
const config = (entries: Record<string, string> = {}): GitConfigValues => new Map(Object.entries(entries));

function configError(run: () => unknown): BadConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof BadConfigError) return error;
    throw new Error(`expected a BadConfigError, got ${String(error)}`);
  }
  throw new Error('expected the settings to be rejected');
}

describe('parseSize', () => {
  it.each<[string, number]>([
    ['5242880', 5_242_880],
    ['0', 0],
    ['8MiB', 8 * MiB],
    ['16m', 16 * MiB],
    ['16M', 16 * MiB],
    ['16mb', 16 * MiB],
    ['512k', 512 * 1024],
    ['512KiB', 512 * 1024],
    ['1g', 1024 * MiB],
    ['2GiB', 2048 * MiB],
    ['8 MiB', 8 * MiB],
    ['  32m  ', 32 * MiB],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'abc', '1.5MiB', '-5m', '16x', '16 MiBs', 'MiB', '1t'])('rejects %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('resolveSettings', () => {
  it('uses the defaults when nothing is set', () => {
    expect(resolveSettings({}, config())).toStrictEqual({
      lockTtlMs: DEFAULT_LOCK_TTL_MS,
      layout: undefined,
      sse: undefined,
      partSize: DEFAULT_PART_SIZE,
      concurrency: DEFAULT_CONCURRENCY,
      addressingStyle: undefined,
    });
    expect(DEFAULT_PART_SIZE).toBe(16 * MiB);
    expect(DEFAULT_CONCURRENCY).toBe(4);
  });

  describe('lock TTL', () => {
    it('reads GIT_REMOTE_S3_LOCK_TTL in seconds', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL: '30' }, config()).lockTtlMs).toBe(30_000);
    });

    it('reads GIT_REMOTE_S3_LOCK_TTL_SECONDS in seconds', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL_SECONDS: '45' }, config()).lockTtlMs).toBe(45_000);
    });

    it('prefers GIT_REMOTE_S3_LOCK_TTL over GIT_REMOTE_S3_LOCK_TTL_SECONDS', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL: '10', GIT_REMOTE_S3_LOCK_TTL_SECONDS: '99' }, config()).lockTtlMs).toBe(10_000);
    });

    it('accepts fractional seconds', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL: '1.5' }, config()).lockTtlMs).toBe(1_500);
    });

    it('reads s3.lockttl from git config', () => {
      expect(resolveSettings({}, config({ 's3.lockttl': '120' })).lockTtlMs).toBe(120_000);
    });

    it('lets the environment win over git config', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL: '5' }, config({ 's3.lockttl': '120' })).lockTtlMs).toBe(5_000);
    });

    it('ignores an empty environment value and falls back to git config', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_LOCK_TTL_SECONDS: '' }, config({ 's3.lockttl': '7' })).lockTtlMs).toBe(7_000);
    });

    it.each<[string, NodeJS.ProcessEnv, Record<string, string>, string]>([
      ['a non-number in GIT_REMOTE_S3_LOCK_TTL', { GIT_REMOTE_S3_LOCK_TTL: 'abc' }, {}, 'GIT_REMOTE_S3_LOCK_TTL'],
      ['zero in GIT_REMOTE_S3_LOCK_TTL', { GIT_REMOTE_S3_LOCK_TTL: '0' }, {}, 'GIT_REMOTE_S3_LOCK_TTL'],
      ['a negative GIT_REMOTE_S3_LOCK_TTL_SECONDS', { GIT_REMOTE_S3_LOCK_TTL_SECONDS: '-1' }, {}, 'GIT_REMOTE_S3_LOCK_TTL_SECONDS'],
      ['more than a day in s3.lockttl', {}, { 's3.lockttl': '86401' }, 's3.lockTtl'],
      ['a duration with a unit in s3.lockttl', {}, { 's3.lockttl': '60s' }, 's3.lockTtl'],
    ])('rejects %s, naming the setting', (_name, env, values, setting) => {
      const error = configError(() => resolveSettings(env, config(values)));
      expect(error.code).toBe('bad-config');
      expect(error.message).toContain(`bad value for ${setting}: '`);
      expect(error.data.setting).toBe(setting);
    });

    it('accepts exactly one day', () => {
      expect(resolveSettings({}, config({ 's3.lockttl': '86400' })).lockTtlMs).toBe(86_400_000);
    });
  });

  describe('layout', () => {
    it('reads s3.layout', () => {
      expect(resolveSettings({}, config({ 's3.layout': 'packs' })).layout).toBe('packs');
    });

    it('lets remote.<name>.s3layout win over s3.layout', () => {
      const values = config({ 's3.layout': 'packs', 'remote.origin.s3layout': 'bundle' });
      expect(resolveSettings({}, values, 'origin').layout).toBe('bundle');
    });

    it('looks up the remote with its name lowercased as git prints it', () => {
      const values = config({ 's3.layout': 'bundle', 'remote.upstream.s3layout': 'packs' });
      expect(resolveSettings({}, values, 'Upstream').layout).toBe('packs');
    });

    it('ignores the settings of other remotes', () => {
      const values = config({ 's3.layout': 'packs', 'remote.other.s3layout': 'bundle' });
      expect(resolveSettings({}, values, 'origin').layout).toBe('packs');
    });

    it('ignores remote settings when no remote name is given', () => {
      expect(resolveSettings({}, config({ 'remote.origin.s3layout': 'packs' })).layout).toBeUndefined();
    });

    it('rejects a bad remote.<name>.s3layout, naming it', () => {
      const error = configError(() => resolveSettings({}, config({ 'remote.origin.s3layout': 'zip' }), 'origin'));
      expect(error.message).toContain("bad value for remote.origin.s3layout: 'zip'");
    });

    it('rejects a bad s3.layout, naming it', () => {
      const error = configError(() => resolveSettings({}, config({ 's3.layout': 'Bundle' })));
      expect(error.message).toContain("bad value for s3.layout: 'Bundle'");
    });
  });

  describe('server-side encryption', () => {
    it('reads AES256', () => {
      expect(resolveSettings({}, config({ 's3.sse': 'AES256' })).sse).toStrictEqual({ algorithm: 'AES256' });
    });

    it('reads aws:kms with a key id', () => {
      const values = config({ 's3.sse': 'aws:kms', 's3.ssekmskeyid': 'arn:aws:kms:eu-west-1:111122223333:key/abcd' });
      expect(resolveSettings({}, values).sse).toStrictEqual({
        algorithm: 'aws:kms',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abcd',
      });
    });

    it('reads aws:kms without a key id', () => {
      expect(resolveSettings({}, config({ 's3.sse': 'aws:kms' })).sse).toStrictEqual({ algorithm: 'aws:kms' });
    });

    it('ignores a KMS key id when the algorithm is AES256', () => {
      const values = config({ 's3.sse': 'AES256', 's3.ssekmskeyid': 'key' });
      expect(resolveSettings({}, values).sse).toStrictEqual({ algorithm: 'AES256' });
    });

    it('rejects an unknown algorithm, naming s3.sse', () => {
      const error = configError(() => resolveSettings({}, config({ 's3.sse': 'aes256' })));
      expect(error.message).toContain("bad value for s3.sse: 'aes256'");
    });
  });

  describe('part size', () => {
    it.each<[string, number]>([
      ['8MiB', 8 * MiB],
      ['16m', 16 * MiB],
      ['5242880', 5 * MiB],
      ['5GiB', 5 * 1024 * MiB],
    ])('reads GIT_REMOTE_S3_PART_SIZE=%s', (text, bytes) => {
      expect(resolveSettings({ GIT_REMOTE_S3_PART_SIZE: text }, config()).partSize).toBe(bytes);
    });

    it('reads s3.partsize from git config', () => {
      expect(resolveSettings({}, config({ 's3.partsize': '32MiB' })).partSize).toBe(32 * MiB);
    });

    it('lets the environment win over git config', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_PART_SIZE: '8m' }, config({ 's3.partsize': '32MiB' })).partSize).toBe(8 * MiB);
    });

    it('rejects a part size below 5 MiB', () => {
      const error = configError(() => resolveSettings({ GIT_REMOTE_S3_PART_SIZE: '5242879' }, config()));
      expect(error.message).toContain('bad value for GIT_REMOTE_S3_PART_SIZE');
      expect(error.message).toContain('at least 5MiB');
    });

    it('rejects a part size above 5 GiB', () => {
      const error = configError(() => resolveSettings({}, config({ 's3.partsize': '6g' })));
      expect(error.message).toContain('bad value for s3.partSize');
      expect(error.message).toContain('at most 5GiB');
    });

    it('rejects text that is not a size, naming the setting', () => {
      const error = configError(() => resolveSettings({}, config({ 's3.partsize': 'big' })));
      expect(error.message).toBe("bad value for s3.partSize: 'big' (expected a size such as 16MiB)");
    });
  });

  describe('concurrency', () => {
    it('reads GIT_REMOTE_S3_CONCURRENCY', () => {
      expect(resolveSettings({ GIT_REMOTE_S3_CONCURRENCY: '8' }, config()).concurrency).toBe(8);
    });

    it('reads s3.concurrency and lets the environment win', () => {
      expect(resolveSettings({}, config({ 's3.concurrency': '2' })).concurrency).toBe(2);
      expect(resolveSettings({ GIT_REMOTE_S3_CONCURRENCY: '16' }, config({ 's3.concurrency': '2' })).concurrency).toBe(16);
    });

    it.each<[string, NodeJS.ProcessEnv, Record<string, string>, string]>([
      ['zero', { GIT_REMOTE_S3_CONCURRENCY: '0' }, {}, 'GIT_REMOTE_S3_CONCURRENCY'],
      ['more than 64', { GIT_REMOTE_S3_CONCURRENCY: '65' }, {}, 'GIT_REMOTE_S3_CONCURRENCY'],
      ['a fraction', {}, { 's3.concurrency': '2.5' }, 's3.concurrency'],
    ])('rejects %s, naming the setting', (_name, env, values, setting) => {
      expect(configError(() => resolveSettings(env, config(values))).data.setting).toBe(setting);
    });
  });

  describe('addressing style', () => {
    it.each<[string, 'path' | 'virtual' | undefined]>([
      ['path', 'path'],
      ['virtual', 'virtual'],
      ['auto', undefined],
    ])('reads %s', (text, expected) => {
      expect(resolveSettings({ GIT_REMOTE_S3_ADDRESSING_STYLE: text }, config()).addressingStyle).toBe(expected);
    });

    it('reads s3.addressingstyle from git config', () => {
      expect(resolveSettings({}, config({ 's3.addressingstyle': 'path' })).addressingStyle).toBe('path');
    });

    it('rejects an unknown style, naming s3.addressingStyle', () => {
      const error = configError(() => resolveSettings({}, config({ 's3.addressingstyle': 'dns' })));
      expect(error.message).toContain("bad value for s3.addressingStyle: 'dns'");
    });
  });
});
