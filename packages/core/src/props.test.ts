import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadConfigError } from './errors.js';
import { loadProperties, parseProperties } from './props.js';

const FILE = '/home/me/.jgit_s3';
const HINT = "it needs 'accesskey: …' and 'secretkey: …' lines";

function propsError(text: string): BadConfigError {
  try {
    parseProperties(text, FILE);
  } catch (error) {
    if (error instanceof BadConfigError) return error;
    throw new Error(`expected a BadConfigError, got ${String(error)}`);
  }
  throw new Error('expected the properties to be rejected');
}

describe('parseProperties', () => {
  it('reads key: value lines', () => {
    expect(parseProperties('accesskey: AKIAEXAMPLE\nsecretkey: s3cr3t\n', FILE)).toStrictEqual({
      accessKey: 'AKIAEXAMPLE',
      secretKey: 's3cr3t',
      acl: 'private',
    });
  });

  it('reads key=value lines', () => {
    expect(parseProperties('accesskey=AKIAEXAMPLE\nsecretkey=s3cr3t', FILE)).toStrictEqual({
      accessKey: 'AKIAEXAMPLE',
      secretKey: 's3cr3t',
      acl: 'private',
    });
  });

  it('reads key value lines separated by whitespace', () => {
    expect(parseProperties('accesskey AKIAEXAMPLE\nsecretkey\ts3cr3t', FILE)).toMatchObject({
      accessKey: 'AKIAEXAMPLE',
      secretKey: 's3cr3t',
    });
  });

  it('trims spaces around the separator and the value', () => {
    expect(parseProperties('  accesskey  =  AKIA  \n\tsecretkey :  s3cr3t  ', FILE)).toMatchObject({
      accessKey: 'AKIA',
      secretKey: 's3cr3t',
    });
  });

  it('keeps separators that appear inside a value', () => {
    expect(parseProperties('accesskey: AKIA\nsecretkey=ab=cd:ef', FILE).secretKey).toBe('ab=cd:ef');
  });

  it('skips # and ! comments and blank lines', () => {
    const text = '# JGit s3 credentials\n! old style comment\n\naccesskey: AKIA\n#secretkey: wrong\nsecretkey: right\n';
    expect(parseProperties(text, FILE)).toMatchObject({ accessKey: 'AKIA', secretKey: 'right' });
  });

  it('reads Windows line endings', () => {
    expect(parseProperties('accesskey: AKIA\r\nsecretkey: s3cr3t\r\n', FILE)).toMatchObject({ accessKey: 'AKIA', secretKey: 's3cr3t' });
  });

  it('treats keys case-insensitively', () => {
    expect(parseProperties('AccessKey: AKIA\nSECRETKEY: s3cr3t\nACL: public', FILE)).toStrictEqual({
      accessKey: 'AKIA',
      secretKey: 's3cr3t',
      acl: 'public',
    });
  });

  it('lets the last of repeated keys win', () => {
    expect(parseProperties('accesskey: one\naccesskey: two\nsecretkey: s', FILE).accessKey).toBe('two');
  });

  it('ignores keys it does not know', () => {
    expect(parseProperties('accesskey: a\nsecretkey: s\nregion: eu-west-1', FILE)).toStrictEqual({
      accessKey: 'a',
      secretKey: 's',
      acl: 'private',
    });
  });

  it.each(['public', 'private'])('reads acl %s', (acl) => {
    expect(parseProperties(`accesskey: a\nsecretkey: s\nacl: ${acl}`, FILE).acl).toBe(acl);
  });

  it.each(['s3.eu-west-1.amazonaws.com', '127.0.0.1:9000', 'minio.local:443'])('reads domain %s', (domain) => {
    expect(parseProperties(`accesskey: a\nsecretkey: s\ndomain: ${domain}`, FILE).domain).toBe(domain);
  });

  it('leaves the domain out when there is none', () => {
    expect(parseProperties('accesskey: a\nsecretkey: s', FILE)).not.toHaveProperty('domain');
  });

  it.each<[string, string, string]>([
    ['a missing accesskey', 'secretkey: s', 'missing accesskey'],
    ['a missing secretkey', 'accesskey: a', 'missing secretkey'],
    ['an empty file', '', 'missing accesskey'],
    ['a file of comments only', '# accesskey: a\n! secretkey: s', 'missing accesskey'],
    ['an empty accesskey', 'accesskey:\nsecretkey: s', 'accesskey is empty'],
    ['an empty secretkey', 'accesskey: a\nsecretkey=', 'secretkey is empty'],
    ['an unknown acl', 'accesskey: a\nsecretkey: s\nacl: public-read', 'expected one of'],
    [
      'a domain given as a url',
      'accesskey: a\nsecretkey: s\ndomain: https://s3.amazonaws.com',
      'domain must be a host name, optionally with a port',
    ],
    ['a domain with a path', 'accesskey: a\nsecretkey: s\ndomain: host/path', 'domain must be a host name'],
    ['a domain with a non-numeric port', 'accesskey: a\nsecretkey: s\ndomain: host:http', 'domain must be a host name'],
  ])('rejects %s', (_name, text, reason) => {
    const error = propsError(text);
    expect(error.code).toBe('bad-config');
    expect(error.message).toContain(`bad value for ${FILE}: `);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(HINT);
  });

  it('does not put the secret key in the message of an error', () => {
    expect(propsError('accesskey: a\nsecretkey: TOPSECRET\nacl: bad').message).not.toContain('TOPSECRET');
  });
});

describe('loadProperties', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'props-test-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function writeProps(name: string, text: string, mode: number): Promise<string> {
    const file = join(home, name);
    await writeFile(file, text);
    await chmod(file, mode);
    return file;
  }

  it('reads a private file without a warning', async () => {
    await writeProps('.jgit_s3', 'accesskey: AKIA\nsecretkey: s3cr3t\n', 0o600);
    const loaded = await loadProperties('.jgit_s3', home);
    expect(loaded).toStrictEqual({ properties: { accessKey: 'AKIA', secretKey: 's3cr3t', acl: 'private' } });
    expect(loaded.warning).toBeUndefined();
  });

  it('warns when other users can read the file', async () => {
    const file = await writeProps('.jgit_s3', 'accesskey: AKIA\nsecretkey: s3cr3t\n', 0o644);
    const loaded = await loadProperties('.jgit_s3', home);
    expect(loaded.properties.accessKey).toBe('AKIA');
    expect(loaded.warning).toBe(`${file} is readable by other users; run 'chmod 600 ${file}'`);
  });

  it('warns when only the group can read the file', async () => {
    await writeProps('.jgit_s3', 'accesskey: a\nsecretkey: s\n', 0o640);
    expect((await loadProperties('.jgit_s3', home)).warning).toContain('is readable by other users');
  });

  it('rejects a missing file, naming it and saying how to create it', async () => {
    const file = join(home, '.nothing');
    const attempt = loadProperties('.nothing', home);
    await expect(attempt).rejects.toBeInstanceOf(BadConfigError);
    await expect(attempt).rejects.toThrow(`bad value for ${file}: no such file; create it with accesskey and secretkey lines (chmod 600)`);
  });

  it('rejects a directory in place of the file with the error code', async () => {
    await mkdir(join(home, '.jgit_s3'));
    await expect(loadProperties('.jgit_s3', home)).rejects.toThrow(/cannot read it \(EISDIR\)/);
  });

  it('rejects a file with bad contents, naming the file', async () => {
    const file = await writeProps('.jgit_s3', 'accesskey: a\n', 0o600);
    await expect(loadProperties('.jgit_s3', home)).rejects.toThrow(`bad value for ${file}: missing secretkey`);
  });
});
