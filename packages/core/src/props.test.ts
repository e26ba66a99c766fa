import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadConfigError, JGitEncryptedError, MissingPropertiesFileError } from './errors.js';
import { loadProperties, parseProperties, propertiesEndpoint } from './props.js';

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

  it.each<[string, 'public' | 'private']>([
    ['private', 'private'],
    ['PRIVATE', 'private'],
    ['public', 'public'],
    ['Public', 'public'],
    ['public-read', 'public'],
    ['PUBLIC-READ', 'public'],
    ['public_read', 'public'],
    ['PUBLIC_READ', 'public'],
  ])("reads JGit's acl spelling %s as %s", (acl, expected) => {
    expect(parseProperties(`accesskey: a\nsecretkey: s\nacl: ${acl}`, FILE).acl).toBe(expected);
  });

  it.each(['s3.eu-west-1.amazonaws.com', '127.0.0.1:9000', 'minio.local:443'])('reads domain %s', (domain) => {
    expect(parseProperties(`accesskey: a\nsecretkey: s\ndomain: ${domain}`, FILE).domain).toBe(domain);
  });

  it.each<[string, 'http' | 'https']>([
    ['http', 'http'],
    ['https', 'https'],
    ['HTTP', 'http'],
  ])('reads protocol %s', (protocol, expected) => {
    expect(parseProperties(`accesskey: a\nsecretkey: s\ndomain: d.example\nprotocol: ${protocol}`, FILE).protocol).toBe(expected);
  });

  it('leaves the domain and the protocol out when there are none', () => {
    const properties = parseProperties('accesskey: a\nsecretkey: s', FILE);
    expect(properties).not.toHaveProperty('domain');
    expect(properties).not.toHaveProperty('protocol');
  });

  it.each<[string, string, string]>([
    ['a missing accesskey', 'secretkey: s', `no accesskey line; ${HINT}`],
    ['a missing secretkey', 'accesskey: a', `no secretkey line; ${HINT}`],
    ['an empty file', '', `no accesskey line; ${HINT}`],
    ['a file of comments only', '# accesskey: a\n! secretkey: s', `no accesskey line; ${HINT}`],
    ['an empty accesskey', 'accesskey:\nsecretkey: s', `accesskey is empty; ${HINT}`],
    ['an empty secretkey', 'accesskey: a\nsecretkey=', `secretkey is empty; ${HINT}`],
    [
      'an unknown acl',
      'accesskey: a\nsecretkey: s\nacl: world',
      "acl 'world' is not one of private, public, public-read, public_read (in any case)",
    ],
    ['an unknown protocol', 'accesskey: a\nsecretkey: s\nprotocol: ftp', "protocol 'ftp' is neither http nor https"],
    [
      'a domain given as a url',
      'accesskey: a\nsecretkey: s\ndomain: https://s3.amazonaws.com',
      "domain 'https://s3.amazonaws.com' must be a host name, optionally with a port (the scheme goes in 'protocol: http|https')",
    ],
    ['a domain with a path', 'accesskey: a\nsecretkey: s\ndomain: host/path', "domain 'host/path' must be a host name"],
    ['a domain with a non-numeric port', 'accesskey: a\nsecretkey: s\ndomain: host:http', "domain 'host:http' must be a host name"],
  ])('rejects %s, naming the key that is wrong', (_name, text, reason) => {
    const error = propsError(text);
    expect(error.code).toBe('bad-config');
    expect(error.message).toContain(`bad value for ${FILE}: ${reason}`);
  });

  it('does not blame the credentials for a bad acl', () => {
    expect(propsError('accesskey: a\nsecretkey: s\nacl: bad').message).not.toContain('accesskey');
  });

  it.each([
    ['password', 'accesskey: a\nsecretkey: s\npassword: hunter2'],
    ['crypto.algorithm', 'accesskey: a\nsecretkey: s\ncrypto.algorithm: PBEWithMD5AndDES'],
    ['crypto.version', 'accesskey: a\nsecretkey: s\ncrypto.version: 1'],
    ['password', 'password=x'],
    ['password', 'accesskey: a\nsecretkey: s\nPassword: x'],
  ])('refuses a file that turns on JGit encryption with %s, in one line naming the remote and the file', (key, text) => {
    const attempt = () => parseProperties(text, FILE, 'amazon-s3://.jgit_s3@b/repo.git');
    expect(attempt).toThrow(JGitEncryptedError);
    expect(attempt).toThrow(
      `amazon-s3://.jgit_s3@b/repo.git is encrypted by JGit (${key} in ${FILE}); git-remote-s3 cannot read JGit's encryption`,
    );
  });

  it('does not put the password in the refusal', () => {
    expect(() => parseProperties('accesskey: a\nsecretkey: s\npassword: TOPSECRET', FILE)).not.toThrow('TOPSECRET');
  });

  it('does not put the secret key in the message of an error', () => {
    expect(propsError('accesskey: a\nsecretkey: TOPSECRET\nacl: bad').message).not.toContain('TOPSECRET');
  });
});

describe('propertiesEndpoint', () => {
  const endpoint = (text: string) => propertiesEndpoint(parseProperties(`accesskey: a\nsecretkey: s\n${text}`, FILE));

  it('reaches the domain over https unless the file says otherwise, though JGit defaults to http', () => {
    expect(endpoint('domain: s3.eu-west-1.amazonaws.com')).toBe('https://s3.eu-west-1.amazonaws.com');
  });

  it.each([
    ['protocol: http', 'http://127.0.0.1:9000'],
    ['protocol: HTTPS', 'https://127.0.0.1:9000'],
  ])('honours %s for the domain', (line, expected) => {
    expect(endpoint(`domain: 127.0.0.1:9000\n${line}`)).toBe(expected);
  });

  it('names no endpoint without a domain, whatever the protocol', () => {
    expect(endpoint('')).toBeUndefined();
    expect(endpoint('protocol: http')).toBeUndefined();
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
    expect(loaded).toStrictEqual({ properties: { accessKey: 'AKIA', secretKey: 's3cr3t', acl: 'private' }, file: join(home, '.jgit_s3') });
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

  it('rejects a missing file, naming it as the user would and saying how to create it', async () => {
    const attempt = loadProperties('.jgit_s3_public', home);
    await expect(attempt).rejects.toBeInstanceOf(MissingPropertiesFileError);
    await expect(attempt).rejects.toThrow(
      /^amazon-s3 properties file ~\/\.jgit_s3_public not found; create it with accesskey and secretkey lines \(chmod 600\)$/,
    );
  });

  it('rejects a directory in place of the file with the error code', async () => {
    await mkdir(join(home, '.jgit_s3'));
    await expect(loadProperties('.jgit_s3', home)).rejects.toThrow(/cannot read it \(EISDIR\)/);
  });

  it('rejects a file with bad contents, naming the file', async () => {
    const file = await writeProps('.jgit_s3', 'accesskey: a\n', 0o600);
    await expect(loadProperties('.jgit_s3', home)).rejects.toThrow(`bad value for ${file}: no secretkey line`);
  });
});
