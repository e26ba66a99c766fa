import { describe, expect, it } from 'vitest';
import { createLogger, redact, type Verbosity, verbosityFromEnv } from './log.js';

function capture(verbosity?: Verbosity) {
  const lines: string[] = [];
  const logger = createLogger((text) => lines.push(text), verbosity);
  return { lines, logger };
}

function logEveryLevel(logger: ReturnType<typeof createLogger>): void {
  logger.error('e');
  logger.warn('w');
  logger.info('i');
  logger.debug('d');
  logger.trace('t');
}

describe('createLogger', () => {
  it('prints errors, warnings and info at the normal verbosity by default', () => {
    const { lines, logger } = capture();
    expect(logger.verbosity).toBe(1);
    logEveryLevel(logger);
    expect(lines).toStrictEqual(['error: e\n', 'warning: w\n', 'i\n']);
  });

  it('prints only errors when quiet', () => {
    const { lines, logger } = capture(0);
    logEveryLevel(logger);
    expect(lines).toStrictEqual(['error: e\n']);
  });

  it('adds debug lines when verbose', () => {
    const { lines, logger } = capture(2);
    logEveryLevel(logger);
    expect(lines).toStrictEqual(['error: e\n', 'warning: w\n', 'i\n', 's3: d\n']);
  });

  it('adds trace lines at verbosity 3', () => {
    const { lines, logger } = capture(3);
    logEveryLevel(logger);
    expect(lines).toStrictEqual(['error: e\n', 'warning: w\n', 'i\n', 's3: d\n', 's3 trace: t\n']);
  });

  it('follows a verbosity changed after creation', () => {
    const { lines, logger } = capture(1);
    logger.debug('hidden');
    logger.verbosity = 2;
    logger.debug('shown');
    logger.verbosity = 0;
    logger.info('hidden too');
    expect(lines).toStrictEqual(['s3: shown\n']);
  });

  it('prints a warnOnce message only the first time', () => {
    const { lines, logger } = capture();
    logger.warnOnce('listing is slow');
    logger.warnOnce('listing is slow');
    logger.warnOnce('something else');
    expect(lines).toStrictEqual(['warning: listing is slow\n', 'warning: something else\n']);
  });

  it('keeps warnOnce state per logger', () => {
    const first = capture();
    const second = capture();
    first.logger.warnOnce('same');
    second.logger.warnOnce('same');
    expect(first.lines).toStrictEqual(['warning: same\n']);
    expect(second.lines).toStrictEqual(['warning: same\n']);
  });

  it('redacts signatures in every message it writes', () => {
    const { lines, logger } = capture(3);
    logger.error('GET https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeef failed');
    logger.trace('https://b/k?X-Amz-Credential=AKIA%2F20240101&X-Amz-Expires=60');
    expect(lines.join('')).not.toMatch(/deadbeef|AKIA/);
    expect(lines).toStrictEqual([
      'error: GET https://b.s3.amazonaws.com/k?X-Amz-Signature=<redacted> failed\n',
      's3 trace: https://b/k?X-Amz-Credential=<redacted>&X-Amz-Expires=60\n',
    ]);
  });
});

describe('redact', () => {
  it.each<[string, string, string]>([
    ['hides X-Amz-Signature', 'https://h/k?X-Amz-Signature=abc123', 'https://h/k?X-Amz-Signature=<redacted>'],
    ['hides X-Amz-Credential', 'https://h/k?X-Amz-Credential=AKIA%2Fx', 'https://h/k?X-Amz-Credential=<redacted>'],
    ['hides X-Amz-Security-Token', 'https://h/k?a=1&X-Amz-Security-Token=tok', 'https://h/k?a=1&X-Amz-Security-Token=<redacted>'],
    [
      'hides every secret parameter and keeps the others',
      'https://h/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=c&X-Amz-Signature=s&x-id=GetObject',
      'https://h/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&x-id=GetObject',
    ],
    ['matches parameter names case-insensitively', 'https://h/k?x-amz-signature=abc', 'https://h/k?x-amz-signature=<redacted>'],
    ['stops at whitespace', 'url https://h/k?X-Amz-Signature=abc failed', 'url https://h/k?X-Amz-Signature=<redacted> failed'],
    [
      'redacts every url in the text',
      '?X-Amz-Signature=a and ?X-Amz-Signature=b',
      '?X-Amz-Signature=<redacted> and ?X-Amz-Signature=<redacted>',
    ],
    ['leaves text without secrets alone', 'pushed refs/heads/main to s3://b/p', 'pushed refs/heads/main to s3://b/p'],
    ['leaves a parameter that is not a query parameter alone', 'X-Amz-Signature=abc', 'X-Amz-Signature=abc'],
  ])('%s', (_name, text, expected) => {
    expect(redact(text)).toBe(expected);
  });
});

describe('verbosityFromEnv', () => {
  it.each<[string | undefined, Verbosity | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['false', undefined],
    ['FALSE', undefined],
    ['1', 2],
    ['2', 2],
    ['true', 2],
    ['yes', 2],
    ['3', 3],
  ])('reads GIT_REMOTE_S3_VERBOSE=%j as %j', (value, expected) => {
    const env: NodeJS.ProcessEnv = value === undefined ? {} : { GIT_REMOTE_S3_VERBOSE: value };
    expect(verbosityFromEnv(env)).toBe(expected);
  });

  it('ignores other variables', () => {
    expect(verbosityFromEnv({ GIT_TRACE: '1', VERBOSE: '1' })).toBeUndefined();
  });
});

describe('control characters in messages', () => {
  it('are escaped so a name from the bucket cannot rewrite the terminal', () => {
    const lines: string[] = [];
    const logger = createLogger((t) => lines.push(t), 1);
    logger.warn('ignoring refs/heads/a\u001b[2Jb and \u0001');
    expect(lines).toEqual(['warning: ignoring refs/heads/a\\x1b[2Jb and \\x01\n']);
  });
});
