// The S3 settings a user keeps in ~/.aws/config and AWS_* variables (endpoint, addressing style, retries,
// checksums), resolved as the AWS CLI and SDK do; our defaults fill in only what the user left unset.
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { BadConfigError } from '../errors.js';

/** One section of ~/.aws/config as the SDK's loader gives it (`s3 =` sub-keys appear as `s3.<key>`). */
export type ConfigSection = Readonly<Record<string, string | undefined>>;

/** ~/.aws/config's sections by name: profiles by their bare name, `services.<name>` for services sections. */
export type ConfigFile = Readonly<Record<string, ConfigSection | undefined>>;

export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

export interface S3ClientSettings {
  /** Undefined: AWS itself. */
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly maxAttempts: number;
  readonly requestChecksumCalculation: ChecksumMode;
  readonly responseChecksumValidation: ChecksumMode;
}

/** What the caller decided before the user's AWS settings are asked (URL, properties file, git config). */
export interface ExplicitSettings {
  /** The amazon-s3 properties file's `domain`: wins over every configured endpoint. */
  readonly endpoint?: string | undefined;
  /** `s3.addressingStyle` in git config: wins over `s3 = addressing_style` in ~/.aws/config. */
  readonly addressingStyle?: 'path' | 'virtual' | undefined;
}

/** Ours, where the user set nothing: 4 tries; checksums only when S3 requires them (S3-compatible stores
 * reject the SDK's default aws-chunked CRC32 uploads). */
export const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_CHECKSUM_MODE: ChecksumMode = 'WHEN_REQUIRED';

/** The profile in use and ~/.aws/config read with the SDK's own loader (it caches the files). */
export async function readSharedConfig(
  profile: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ profile: string; file: ConfigFile }> {
  const files = await loadSharedConfigFiles({
    ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
    ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
  }).catch(() => undefined);
  return { profile: profile ?? env.AWS_PROFILE ?? 'default', file: files?.configFile ?? {} };
}

/**
 * The client's settings, each from the first that sets it: the explicit value, the environment, the
 * profile (and its services section), then ours. Pure: the caller passes the environment and the file.
 */
export function resolveS3ClientSettings(
  explicit: ExplicitSettings,
  env: NodeJS.ProcessEnv,
  profileName: string,
  file: ConfigFile,
): S3ClientSettings {
  const profile = file[profileName] ?? {};
  const where = (key: string) => `${key} in profile '${profileName}' of ~/.aws/config`;
  const endpoint = explicit.endpoint ?? configuredEndpoint(env, profileName, profile, file);
  const style = explicit.addressingStyle ?? pickStyle(profile['s3.addressing_style'], where('s3 addressing_style'));
  return {
    endpoint,
    // Path style exactly when a custom endpoint is set (most S3-compatible stores have no wildcard DNS).
    forcePathStyle: style ? style === 'path' : endpoint !== undefined,
    maxAttempts:
      pickAttempts(env.AWS_MAX_ATTEMPTS, 'AWS_MAX_ATTEMPTS') ??
      pickAttempts(profile.max_attempts, where('max_attempts')) ??
      DEFAULT_MAX_ATTEMPTS,
    requestChecksumCalculation:
      pickChecksum(env.AWS_REQUEST_CHECKSUM_CALCULATION, 'AWS_REQUEST_CHECKSUM_CALCULATION') ??
      pickChecksum(profile.request_checksum_calculation, where('request_checksum_calculation')) ??
      DEFAULT_CHECKSUM_MODE,
    responseChecksumValidation:
      pickChecksum(env.AWS_RESPONSE_CHECKSUM_VALIDATION, 'AWS_RESPONSE_CHECKSUM_VALIDATION') ??
      pickChecksum(profile.response_checksum_validation, where('response_checksum_validation')) ??
      DEFAULT_CHECKSUM_MODE,
  };
}

/**
 * The SDK's configured-endpoint order for S3: nothing when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
 * profile's ignore_configured_endpoint_urls) is true; else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, `s3 =
 * endpoint_url` in the profile's `[services …]` section, the profile's endpoint_url. Unlike the SDK's own
 * look-up this asks the profile in use, also when it comes from the URL.
 */
function configuredEndpoint(env: NodeJS.ProcessEnv, profileName: string, profile: ConfigSection, file: ConfigFile): string | undefined {
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? profile.ignore_configured_endpoint_urls;
  if (ignore?.trim().toLowerCase() === 'true') return undefined;
  const fromEnv = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  if (fromEnv) return fromEnv;
  if (profile.services) {
    const services = file[`services.${profile.services}`];
    if (!services) {
      throw new BadConfigError(
        `services in profile '${profileName}' of ~/.aws/config`,
        `'${profile.services}' (no [services ${profile.services}] section in the file)`,
      );
    }
    if (services['s3.endpoint_url']) return services['s3.endpoint_url'];
  }
  return profile.endpoint_url || undefined;
}

function pickStyle(value: string | undefined, setting: string): 'path' | 'virtual' | undefined {
  const style = value?.trim().toLowerCase();
  if (!style || style === 'auto') return undefined;
  if (style === 'path' || style === 'virtual') return style;
  throw new BadConfigError(setting, `'${value}' (expected path, virtual or auto)`);
}

function pickAttempts(value: string | undefined, setting: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const attempts = Number(value);
  if (Number.isInteger(attempts) && attempts >= 1) return attempts;
  throw new BadConfigError(setting, `'${value}' (expected a whole number of attempts, at least 1)`);
}

function pickChecksum(value: string | undefined, setting: string): ChecksumMode | undefined {
  const mode = value?.trim().toUpperCase();
  if (!mode) return undefined;
  if (mode === 'WHEN_SUPPORTED' || mode === 'WHEN_REQUIRED') return mode;
  throw new BadConfigError(setting, `'${value}' (expected when_supported or when_required)`);
}
