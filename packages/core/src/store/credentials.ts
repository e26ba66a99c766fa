// Which credentials a store signs with: the SDK's own default chain (its precedence: a named profile wins over
// static keys in the environment), after checking that a named profile exists, with its failures as our one-line errors.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { parseKnownFiles } from '@smithy/shared-ini-file-loader';
import { GitRemoteS3Error, NoCredentialsError, NoSuchProfileError } from '../errors.js';

export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What the SDK calls for credentials: a chain link's signature, kept loose so no @smithy/types import is needed. */
export type CredentialProvider = (options?: Record<string, unknown>) => Promise<StaticKeys & { readonly expiration?: Date }>;

/** Where the profile in use was named: the remote URL's `profile@`, or AWS_PROFILE. */
export type ProfileSource = 'url' | 'AWS_PROFILE';

export interface ChosenCredentials {
  /** The profile the chain reads, whichever way it was named (undefined: none named). */
  readonly profile: string | undefined;
  readonly credentials: StaticKeys | CredentialProvider;
  /** For an error when the store rejects these credentials: what to run, and why other credentials were not used. */
  readonly hint: CredentialHint;
}

export interface CredentialHint {
  /** What to run for this profile (SSO login or its keys); undefined: the general advice. */
  readonly advice?: string;
  /** A clause on credentials that were set but outranked (outranksEnvKeys), or ''. */
  readonly note: string;
}

/** The shared files the SDK reads, as it finds them: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws. */
export function sharedFilePaths(env: NodeJS.ProcessEnv): { readonly config: string; readonly credentials: string } {
  const home = homeOf(env);
  const expand = (path: string) => (path.startsWith('~/') ? join(home, path.slice(2)) : path);
  return {
    config: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
    credentials: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
  };
}

/** `path` as a user would type it: `~/…` when under the home directory. */
export function displayPath(path: string, home: string): string {
  const base = home.endsWith('/') ? home.slice(0, -1) : home;
  return base !== '' && path.startsWith(`${base}/`) ? `~${path.slice(base.length)}` : path;
}

/** The named profile and where it was named: the URL's wins, as the SDK's `profile` option wins over AWS_PROFILE. */
export function namedProfile(urlProfile: string | undefined, env: NodeJS.ProcessEnv): { name: string; source: ProfileSource } | undefined {
  if (urlProfile) return { name: urlProfile, source: 'url' };
  return env.AWS_PROFILE ? { name: env.AWS_PROFILE, source: 'AWS_PROFILE' } : undefined;
}

/** A profile section that signs in through IAM Identity Center (the SDK's own test: any sso_* key). */
export function isSsoProfile(section: Readonly<Record<string, string | undefined>> | undefined): boolean {
  return section !== undefined && Object.keys(section).some((key) => key.startsWith('sso_'));
}

/** What a user reads when AWS_PROFILE silently outranks the keys they also exported (the SDK's warning, in one clause). */
export function outranksEnvKeys(source: ProfileSource | undefined, env: NodeJS.ProcessEnv): string {
  return source === 'AWS_PROFILE' && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? '; AWS_PROFILE wins over AWS_ACCESS_KEY_ID in the environment: correct it, or unset it to use those keys'
    : '';
}

/**
 * The credentials of a store. Static keys given (an amazon-s3 properties file) are used as they are. Otherwise
 * the SDK's default chain; a named profile must exist in the shared files first, so that a misspelling is
 * named rather than ending in the chain's last links (instance metadata) or, before, in the environment's keys.
 */
export async function chooseCredentials(
  urlProfile: string | undefined,
  staticKeys: StaticKeys | undefined,
  env: NodeJS.ProcessEnv,
): Promise<ChosenCredentials> {
  if (staticKeys) return { profile: urlProfile, credentials: { ...staticKeys }, hint: { note: '' } };
  const named = namedProfile(urlProfile, env);
  // The chain's first link reads process.env; a caller that passes its own environment (tests, the harness)
  // gets that link from it instead, as the chain would take it: keys, when no profile is named.
  if (!named && env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
    return {
      profile: undefined,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      hint: { note: '' },
    };
  }
  const paths = sharedFilePaths(env);
  const files = { filepath: paths.credentials, configFilepath: paths.config };
  let section: Readonly<Record<string, string | undefined>> | undefined;
  if (named) {
    section = ((await parseKnownFiles(files).catch(() => ({}))) as Record<string, Record<string, string | undefined>>)[named.name];
    if (!section) {
      const home = homeOf(env);
      throw new NoSuchProfileError(
        named.name,
        [displayPath(paths.config, home), displayPath(paths.credentials, home)],
        outranksEnvKeys(named.source, env),
      );
    }
  }
  const chain = defaultProvider({
    // The SDK finds the files itself from process.env; a caller's own environment names them explicitly (the
    // SDK's SSO link does not pass them on, so an SSO profile works only through process.env).
    ...(env === process.env ? {} : files),
    ...(named ? { profile: named.name } : {}),
    // The SDK prints its warnings (both AWS_PROFILE and keys set; both container URIs set) with console.warn
    // unless given a logger: they would land as several lines in git's output. The one that matters is
    // carried by our errors instead (outranksEnvKeys).
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  }) as CredentialProvider;
  const sso = isSsoProfile(section);
  const credentials: CredentialProvider = async (options) => {
    try {
      return await chain(options);
    } catch (error) {
      throw credentialFailure(error, named, sso, env);
    }
  };
  const advice = adviceFor(named?.name, sso);
  return { profile: named?.name, credentials, hint: { ...(advice ? { advice } : {}), note: outranksEnvKeys(named?.source, env) } };
}

/** What to run when a profile's credentials fail: log in for an SSO profile, else fix its keys. */
export function adviceFor(profile: string | undefined, sso: boolean): string | undefined {
  if (profile === undefined) return undefined;
  return sso ? `run 'aws sso login --profile ${profile}'` : `check its keys, or run 'aws configure --profile ${profile}'`;
}

/** A failure of the chain as our error: which profile, what the SDK said (first sentence), and what to run. */
export function credentialFailure(
  error: unknown,
  named: { name: string; source: ProfileSource } | undefined,
  sso: boolean,
  env: NodeJS.ProcessEnv,
): Error {
  if (error instanceof GitRemoteS3Error) return error;
  const message = String((error as { message?: unknown })?.message ?? error);
  // The SDK's messages run on with advice in its own words ("To refresh this SSO session run aws sso login…").
  const detail = (message.split('\n')[0] ?? '').replace(/\. .*$/, '').replace(/\.$/, '');
  return new NoCredentialsError(
    named?.name,
    detail.charAt(0).toLowerCase() + detail.slice(1),
    adviceFor(named?.name, sso),
    outranksEnvKeys(named?.source, env),
    {
      cause: error,
    },
  );
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}
