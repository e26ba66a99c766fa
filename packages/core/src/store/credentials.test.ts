// The credential rules that need no S3: which profile is named and how, which files are looked in and how they
// are shown, the missing-profile check, and the chain's failures as one-line errors with the right advice.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { NoCredentialsError, NoSuchProfileError } from '../errors.js';
import {
  chooseCredentials,
  credentialFailure,
  displayPath,
  isSsoProfile,
  namedProfile,
  outranksEnvKeys,
  sharedFilePaths,
} from './credentials.js';

describe('which profile is named', () => {
  it("the URL's profile wins over AWS_PROFILE, as the SDK's profile option does", () => {
    expect(namedProfile('work', { AWS_PROFILE: 'home' })).toEqual({ name: 'work', source: 'url' });
  });
  it('AWS_PROFILE names one when the URL does not; an empty AWS_PROFILE names none', () => {
    expect(namedProfile(undefined, { AWS_PROFILE: 'home' })).toEqual({ name: 'home', source: 'AWS_PROFILE' });
    expect(namedProfile(undefined, { AWS_PROFILE: '' })).toBeUndefined();
  });
});

describe('the shared files looked in', () => {
  it('are ~/.aws/config and ~/.aws/credentials by default', () => {
    expect(sharedFilePaths({ HOME: '/h' })).toEqual({ config: '/h/.aws/config', credentials: '/h/.aws/credentials' });
  });
  it('follow AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, with ~/ expanded as the SDK does', () => {
    expect(sharedFilePaths({ HOME: '/h', AWS_CONFIG_FILE: '~/cfg', AWS_SHARED_CREDENTIALS_FILE: '/etc/creds' })).toEqual({
      config: '/h/cfg',
      credentials: '/etc/creds',
    });
  });
  it('are shown with ~ only when under the home directory', () => {
    expect(displayPath('/h/.aws/config', '/h')).toBe('~/.aws/config');
    expect(displayPath('/h/.aws/config', '/h/')).toBe('~/.aws/config');
    expect(displayPath('/hx/.aws/config', '/h')).toBe('/hx/.aws/config');
    expect(displayPath('/etc/creds', '/h')).toBe('/etc/creds');
  });
});

describe('the SDK warning on AWS_PROFILE and keys, as a clause', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
  it('is said only when AWS_PROFILE outranked keys set in the environment', () => {
    expect(outranksEnvKeys('AWS_PROFILE', keys)).toBe(
      '; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys',
    );
    expect(outranksEnvKeys('AWS_PROFILE', {})).toBe('');
    expect(outranksEnvKeys('url', keys)).toBe('');
  });
});

describe('an SSO profile', () => {
  it('is one with any sso_* key, as the SDK decides', () => {
    expect(isSsoProfile({ sso_session: 's', sso_account_id: '1' })).toBe(true);
    expect(isSsoProfile({ sso_start_url: 'https://x' })).toBe(true);
    expect(isSsoProfile({ aws_access_key_id: 'AK' })).toBe(false);
    expect(isSsoProfile(undefined)).toBe(false);
  });
});

describe("the chain's failures", () => {
  const expired = new Error('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login.');
  it('advise aws sso login for an SSO profile, however the profile was named', () => {
    for (const source of ['url', 'AWS_PROFILE'] as const) {
      const error = credentialFailure(expired, { name: 'dev', source }, true, {});
      expect(error).toBeInstanceOf(NoCredentialsError);
      expect(error.message).toBe(
        "no valid AWS credentials from profile 'dev' (the SSO session associated with this profile has expired); run 'aws sso login --profile dev'",
      );
    }
  });
  it('advise aws configure for a profile with keys, and say why the environment keys were not used', () => {
    const error = credentialFailure(
      new Error('Could not resolve credentials using profile: [p]'),
      { name: 'p', source: 'AWS_PROFILE' },
      false,
      {
        AWS_ACCESS_KEY_ID: 'AK',
        AWS_SECRET_ACCESS_KEY: 'SK',
      },
    );
    expect(error.message).toBe(
      "no valid AWS credentials from profile 'p' (could not resolve credentials using profile: [p]); check its keys, or run 'aws configure --profile p'; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys",
    );
  });
  it('keep the general advice when no profile was named, on one line', () => {
    const error = credentialFailure(new Error('Could not load credentials from any providers\nmore'), undefined, false, {});
    expect(error.message).toBe(
      'no valid AWS credentials from the default credential chain (could not load credentials from any providers); set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws configure',
    );
  });
});

describe('choosing credentials', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'credentials-test-'));
    await mkdir(join(home, '.aws'));
    await writeFile(
      join(home, '.aws', 'config'),
      '[profile cfg]\nregion = eu-west-1\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://corp.invalid/start\nsso_region = eu-west-1\n',
    );
    await writeFile(join(home, '.aws', 'credentials'), '[keys]\naws_access_key_id = AKPROFILE\naws_secret_access_key = SKPROFILE\n');
  });
  afterAll(() => rm(home, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  it('a misspelled profile from the URL names it and the files looked in, before any request', async () => {
    const error = await chooseCredentials('nosuch', undefined, { HOME: home }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchProfileError);
    expect((error as Error).message).toBe("AWS profile 'nosuch' not found in ~/.aws/config or ~/.aws/credentials");
  });

  it('a misspelled AWS_PROFILE is an error even with keys in the environment, saying the keys were not used', async () => {
    const env = { HOME: home, AWS_PROFILE: 'nosuch', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
    await expect(chooseCredentials(undefined, undefined, env)).rejects.toThrow(
      "AWS profile 'nosuch' not found in ~/.aws/config or ~/.aws/credentials; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys",
    );
  });

  it('names the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at', async () => {
    const env = { HOME: home, AWS_PROFILE: 'keys', AWS_CONFIG_FILE: '/nowhere/config', AWS_SHARED_CREDENTIALS_FILE: `${home}/other` };
    await expect(chooseCredentials(undefined, undefined, env)).rejects.toThrow(
      "AWS profile 'keys' not found in /nowhere/config or ~/other",
    );
  });

  it("a profile in either file is found, and its keys win over the environment's", async () => {
    const env = { HOME: home, AWS_PROFILE: 'keys', AWS_ACCESS_KEY_ID: 'AKENV', AWS_SECRET_ACCESS_KEY: 'SKENV' };
    const chosen = await chooseCredentials(undefined, undefined, env);
    expect(chosen.profile).toBe('keys');
    expect(typeof chosen.credentials).toBe('function');
    const keys = await (chosen.credentials as () => Promise<{ accessKeyId: string }>)();
    expect(keys.accessKeyId).toBe('AKPROFILE');
    expect((await chooseCredentials('cfg', undefined, { HOME: home })).profile).toBe('cfg');
  });

  it('an SSO profile never logged in fails with the sso login advice, without a request', async () => {
    // Through process.env, as in use: the SDK's SSO link reads the files and its token cache from there.
    vi.stubEnv('HOME', home);
    vi.stubEnv('AWS_PROFILE', 'sso');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const chosen = await chooseCredentials(undefined, undefined, process.env);
    const error = await (chosen.credentials as () => Promise<unknown>)().catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(NoCredentialsError);
    expect((error as Error).message).toBe(
      "no valid AWS credentials from profile 'sso' (the SSO session token associated with profile=sso was not found or is invalid); run 'aws sso login --profile sso'",
    );
  });

  it('static keys given (a properties file) are used as they are, whatever the environment names', async () => {
    const chosen = await chooseCredentials(undefined, { accessKeyId: 'A', secretAccessKey: 'S' }, { HOME: home, AWS_PROFILE: 'nosuch' });
    expect(chosen.credentials).toEqual({ accessKeyId: 'A', secretAccessKey: 'S' });
  });
});
