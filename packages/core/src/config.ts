// Our settings (DESIGN §7) from the environment and git config, validated with zod. Resolving is pure: callers
// pass in the environment and the git config values, which readGitConfig reads with one git call.
import * as z from 'zod/mini';
import { BadConfigError } from './errors.js';
import { git } from './git.js';
import { DEFAULT_LOCK_TTL_MS } from './lock.js';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from './store/object-store.js';

/** Which of the two layouts a remote keeps (DESIGN §4): the name, not the helper's `Layout` that serves one. */
export type LayoutName = 'bundle' | 'packs';

/** Multipart part size and parts in flight (the store's TransferTuning): one transfer holds at most their product. */
export { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE };

export interface Settings {
  readonly lockTtlMs: number;
  /** The layout a first push creates; an existing remote's layout always comes from the bucket. */
  readonly layout: LayoutName | undefined;
  readonly sse: { readonly algorithm: 'AES256' } | { readonly algorithm: 'aws:kms'; readonly kmsKeyId?: string } | undefined;
  readonly partSize: number;
  readonly concurrency: number;
  readonly addressingStyle: 'path' | 'virtual' | undefined;
}

/** git config keys we read, lowercased as `git config --get-regexp` prints them. */
export type GitConfigValues = ReadonlyMap<string, string>;

const SIZE = /^(\d+)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const MULTIPLIER: Record<string, number> = {
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** `16MiB`, `8m`, `5242880` → bytes. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]?.[0]?.toLowerCase();
  return Number(m[1]) * (unit ? (MULTIPLIER[unit] ?? 1) : 1);
}

const positiveSeconds = z.coerce
  .number('expected a number of seconds')
  .check(z.positive('expected a positive number of seconds'), z.maximum(86_400, 'at most 86400 seconds'));
const layoutSchema = z.enum(['bundle', 'packs'], 'expected bundle or packs');
const sseSchema = z.enum(['AES256', 'aws:kms'], 'expected AES256 or aws:kms');
const addressingSchema = z.enum(['path', 'virtual', 'auto'], 'expected path, virtual or auto');
const concurrencySchema = z.coerce
  .number('expected a whole number from 1 to 64')
  .check(
    z.int('expected a whole number from 1 to 64'),
    z.minimum(1, 'expected a whole number from 1 to 64'),
    z.maximum(64, 'expected a whole number from 1 to 64'),
  );
const partSizeSchema = z
  .number()
  .check(
    z.int('expected a whole number of bytes'),
    z.minimum(5 * 1024 * 1024, 'at least 5MiB (the S3 minimum part size)'),
    z.maximum(5 * 1024 ** 3, 'at most 5GiB'),
  );

function pick<T>(schema: z.ZodMiniType<T>, setting: string, value: string | number | undefined): T | undefined {
  if (value === undefined || value === '') return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BadConfigError(setting, `'${value}' (${result.error.issues[0]?.message ?? 'invalid'})`);
}

export function resolveSettings(env: NodeJS.ProcessEnv, config: GitConfigValues, remoteName?: string): Settings {
  const remote = (key: string) => (remoteName ? config.get(`remote.${remoteName.toLowerCase()}.${key}`) : undefined);
  const ttlEnvName = env.GIT_REMOTE_S3_LOCK_TTL !== undefined ? 'GIT_REMOTE_S3_LOCK_TTL' : 'GIT_REMOTE_S3_LOCK_TTL_SECONDS';
  const ttl =
    pick(positiveSeconds, ttlEnvName, env.GIT_REMOTE_S3_LOCK_TTL ?? env.GIT_REMOTE_S3_LOCK_TTL_SECONDS) ??
    pick(positiveSeconds, 's3.lockTtl', config.get('s3.lockttl'));

  const layoutSetting = remote('s3layout') !== undefined ? `remote.${remoteName}.s3layout` : 's3.layout';
  const layout = pick(layoutSchema, layoutSetting, remote('s3layout') ?? config.get('s3.layout'));

  const algorithm = pick(sseSchema, 's3.sse', config.get('s3.sse'));
  const kmsKeyId = config.get('s3.ssekmskeyid');
  const sse = algorithm === 'aws:kms' ? { algorithm, ...(kmsKeyId ? { kmsKeyId } : {}) } : algorithm ? { algorithm } : undefined;

  const partText = env.GIT_REMOTE_S3_PART_SIZE || config.get('s3.partsize') || undefined;
  const partSetting = env.GIT_REMOTE_S3_PART_SIZE ? 'GIT_REMOTE_S3_PART_SIZE' : 's3.partSize';
  const partBytes = partText === undefined ? undefined : parseSize(partText);
  if (partText !== undefined && partBytes === undefined) {
    throw new BadConfigError(partSetting, `'${partText}' (expected a size such as 16MiB)`);
  }
  const partResult = partBytes === undefined ? undefined : partSizeSchema.safeParse(partBytes);
  if (partResult && !partResult.success) {
    throw new BadConfigError(partSetting, `'${partText}' (${partResult.error.issues[0]?.message ?? 'invalid'})`);
  }
  const partSize = partResult?.data ?? DEFAULT_PART_SIZE;

  const concurrencySetting = env.GIT_REMOTE_S3_CONCURRENCY !== undefined ? 'GIT_REMOTE_S3_CONCURRENCY' : 's3.concurrency';
  const concurrency =
    pick(concurrencySchema, concurrencySetting, env.GIT_REMOTE_S3_CONCURRENCY ?? config.get('s3.concurrency')) ?? DEFAULT_CONCURRENCY;

  const addressing = pick(addressingSchema, 's3.addressingStyle', env.GIT_REMOTE_S3_ADDRESSING_STYLE ?? config.get('s3.addressingstyle'));

  return {
    lockTtlMs: ttl !== undefined ? Math.round(ttl * 1000) : DEFAULT_LOCK_TTL_MS,
    layout,
    sse,
    partSize,
    concurrency,
    addressingStyle: addressing === 'auto' ? undefined : addressing,
  };
}

/** Reads the `s3.*` and `remote.<name>.*` git config values (one git call); empty outside a repository. */
export async function readGitConfig(cwd?: string): Promise<GitConfigValues> {
  const { stdout } = await git(['config', '--null', '--get-regexp', '^(s3|remote|transfer|lfs)\\.'], {
    ...(cwd ? { cwd } : {}),
    okExitCodes: [1],
  });
  const values = new Map<string, string>();
  for (const entry of stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    if (newline > 0) values.set(entry.slice(0, newline).toLowerCase(), entry.slice(newline + 1));
  }
  return values;
}
