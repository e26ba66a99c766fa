import { describe, expect, it } from 'vitest';
import { BadConfigError } from '../errors.js';
import { type ConfigFile, DEFAULT_MAX_ATTEMPTS, resolveS3ClientSettings } from './shared-config.js';

const none: ConfigFile = {};

describe('resolveS3ClientSettings', () => {
  it('uses our defaults when the user set nothing: AWS, virtual-hosted, 4 attempts, checksums only when required', () => {
    expect(resolveS3ClientSettings({}, {}, 'default', none)).toEqual({
      endpoint: undefined,
      forcePathStyle: false,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });

  it('takes the endpoint in the SDK order: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, services section, profile', () => {
    const file: ConfigFile = {
      dev: { services: 'local', endpoint_url: 'http://profile:1' },
      'services.local': { 's3.endpoint_url': 'http://services:2', 'sts.endpoint_url': 'http://sts:3' },
    };
    const env = { AWS_ENDPOINT_URL_S3: 'http://s3env:4', AWS_ENDPOINT_URL: 'http://env:5' };
    expect(resolveS3ClientSettings({}, env, 'dev', file).endpoint).toBe('http://s3env:4');
    expect(resolveS3ClientSettings({}, { AWS_ENDPOINT_URL: 'http://env:5' }, 'dev', file).endpoint).toBe('http://env:5');
    expect(resolveS3ClientSettings({}, {}, 'dev', file).endpoint).toBe('http://services:2');
    expect(resolveS3ClientSettings({}, {}, 'dev', { dev: { endpoint_url: 'http://profile:1' } }).endpoint).toBe('http://profile:1');
  });

  it('falls back to the profile endpoint_url when the services section has none for s3', () => {
    const file: ConfigFile = {
      dev: { services: 'other', endpoint_url: 'http://profile:1' },
      'services.other': { 'sts.endpoint_url': 'x' },
    };
    expect(resolveS3ClientSettings({}, {}, 'dev', file).endpoint).toBe('http://profile:1');
  });

  it('ignores every configured endpoint under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile setting, env first', () => {
    const file: ConfigFile = { default: { endpoint_url: 'http://profile:1' } };
    const env = { AWS_ENDPOINT_URL: 'http://env:5', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(resolveS3ClientSettings({}, env, 'default', file).endpoint).toBeUndefined();
    const ignoring: ConfigFile = { default: { endpoint_url: 'http://profile:1', ignore_configured_endpoint_urls: 'true' } };
    expect(resolveS3ClientSettings({}, {}, 'default', ignoring).endpoint).toBeUndefined();
    expect(resolveS3ClientSettings({}, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }, 'default', ignoring).endpoint).toBe(
      'http://profile:1',
    );
  });

  it('lets the amazon-s3 properties endpoint win over every configured one, even when those are ignored', () => {
    const env = { AWS_ENDPOINT_URL: 'http://env:5', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(resolveS3ClientSettings({ endpoint: 'http://props:6' }, env, 'default', none).endpoint).toBe('http://props:6');
  });

  it('refuses a profile naming a services section the file lacks, naming both', () => {
    const run = () => resolveS3ClientSettings({}, {}, 'dev', { dev: { services: 'gone' } });
    expect(run).toThrow(BadConfigError);
    expect(run).toThrow("bad value for services in profile 'dev' of ~/.aws/config: 'gone' (no [services gone] section in the file)");
  });

  it('addresses path-style with a custom endpoint unless s3 addressing_style says otherwise; git config wins over both', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' };
    expect(resolveS3ClientSettings({}, env, 'default', none).forcePathStyle).toBe(true);
    const virtual: ConfigFile = { default: { 's3.addressing_style': 'virtual' } };
    expect(resolveS3ClientSettings({}, env, 'default', virtual).forcePathStyle).toBe(false);
    expect(resolveS3ClientSettings({ addressingStyle: 'path' }, env, 'default', virtual).forcePathStyle).toBe(true);
    const path: ConfigFile = { default: { 's3.addressing_style': 'path' } };
    expect(resolveS3ClientSettings({}, {}, 'default', path).forcePathStyle).toBe(true);
    expect(resolveS3ClientSettings({ addressingStyle: 'virtual' }, {}, 'default', path).forcePathStyle).toBe(false);
  });

  it('reads auto as unset: our default decides', () => {
    const auto: ConfigFile = { default: { 's3.addressing_style': 'auto' } };
    expect(resolveS3ClientSettings({}, { AWS_ENDPOINT_URL: 'http://h:1' }, 'default', auto).forcePathStyle).toBe(true);
    expect(resolveS3ClientSettings({}, {}, 'default', auto).forcePathStyle).toBe(false);
  });

  it('reads the profile in use, not the default one', () => {
    const file: ConfigFile = { default: { 's3.addressing_style': 'path' }, other: {} };
    expect(resolveS3ClientSettings({}, {}, 'other', file).forcePathStyle).toBe(false);
  });

  it('takes max attempts from AWS_MAX_ATTEMPTS, then max_attempts, then ours', () => {
    const file: ConfigFile = { default: { max_attempts: '7' } };
    expect(resolveS3ClientSettings({}, { AWS_MAX_ATTEMPTS: '2' }, 'default', file).maxAttempts).toBe(2);
    expect(resolveS3ClientSettings({}, {}, 'default', file).maxAttempts).toBe(7);
    expect(resolveS3ClientSettings({}, { AWS_MAX_ATTEMPTS: '' }, 'default', none).maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
  });

  it('takes checksum modes from the environment, then the profile, in any case', () => {
    const file: ConfigFile = {
      default: { request_checksum_calculation: 'when_supported', response_checksum_validation: 'WHEN_SUPPORTED' },
    };
    const fromFile = resolveS3ClientSettings({}, {}, 'default', file);
    expect(fromFile.requestChecksumCalculation).toBe('WHEN_SUPPORTED');
    expect(fromFile.responseChecksumValidation).toBe('WHEN_SUPPORTED');
    const env = { AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED', AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required' };
    const fromEnv = resolveS3ClientSettings({}, env, 'default', file);
    expect(fromEnv.requestChecksumCalculation).toBe('WHEN_REQUIRED');
    expect(fromEnv.responseChecksumValidation).toBe('WHEN_REQUIRED');
  });

  it('names the setting and the value when one is malformed', () => {
    expect(() => resolveS3ClientSettings({}, { AWS_MAX_ATTEMPTS: 'many' }, 'default', none)).toThrow(
      "bad value for AWS_MAX_ATTEMPTS: 'many' (expected a whole number of attempts, at least 1)",
    );
    expect(() => resolveS3ClientSettings({}, {}, 'dev', { dev: { max_attempts: '0' } })).toThrow(
      "bad value for max_attempts in profile 'dev' of ~/.aws/config: '0'",
    );
    expect(() => resolveS3ClientSettings({}, { AWS_REQUEST_CHECKSUM_CALCULATION: 'always' }, 'default', none)).toThrow(
      "bad value for AWS_REQUEST_CHECKSUM_CALCULATION: 'always' (expected when_supported or when_required)",
    );
    expect(() => resolveS3ClientSettings({}, {}, 'default', { default: { 's3.addressing_style': 'dns' } })).toThrow(
      "bad value for s3 addressing_style in profile 'default' of ~/.aws/config: 'dns' (expected path, virtual or auto)",
    );
  });
});
