// Reads the JGit/gits3 properties file named in `amazon-s3://<file>@bucket/path` (DESIGN §2): Java-style
// `key: value` or `key=value` lines in a file in $HOME with accesskey, secretkey, optional acl, domain and protocol.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { BadConfigError, JGitEncryptedError, MissingPropertiesFileError, printable } from './errors.js';

export interface S3Properties {
  readonly accessKey: string;
  readonly secretKey: string;
  /** `public` for JGit's `public`, `public-read` and `public_read`: objects are written world-readable. */
  readonly acl: 'public' | 'private';
  /** S3 endpoint host, e.g. `s3.eu-west-1.amazonaws.com` or `127.0.0.1:9000`. */
  readonly domain?: string;
  /** The scheme for `domain`; set only when the file names one (JGit's default is http, ours https). */
  readonly protocol?: 'http' | 'https';
}

/** JGit's spellings of an acl, matched in any case (its own example is `acl: PRIVATE`). */
const ACL_VALUES = ['private', 'public', 'public-read', 'public_read'] as const;
const PROTOCOLS = ['http', 'https'] as const;
const HINT = "it needs 'accesskey: …' and 'secretkey: …' lines";

const propsSchema = z.object({
  accesskey: z.string().check(z.minLength(1)),
  secretkey: z.string().check(z.minLength(1)),
  acl: z.optional(z.enum(ACL_VALUES)),
  protocol: z.optional(z.enum(PROTOCOLS)),
  domain: z.optional(z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d+)?$/))),
});

type Key = keyof z.infer<typeof propsSchema>;

/** What is wrong with `key`, in words that name it; `value` is never a secret here (secrets only fail when empty). */
function problem(key: Key, value: string | undefined): string {
  if (value === undefined) return `no ${key} line; ${HINT}`;
  switch (key) {
    case 'accesskey':
    case 'secretkey':
      return `${key} is empty; ${HINT}`;
    case 'acl':
      return `acl '${printable(value)}' is not one of ${ACL_VALUES.join(', ')} (in any case)`;
    case 'protocol':
      return `protocol '${printable(value)}' is neither http nor https`;
    case 'domain':
      return `domain '${printable(value)}' must be a host name, optionally with a port (the scheme goes in 'protocol: http|https')`;
  }
}

/**
 * Parses properties text; keys are case-insensitive, `#` and `!` start comments. A file that turns on
 * JGit's client-side encryption (`password`, `crypto.*`) is refused first: every object of such a remote
 * is ciphertext that only JGit reads. `remote` names the remote in that refusal.
 */
export function parseProperties(text: string, file: string, remote = file): S3Properties {
  const entries: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^:=\s]+)\s*[:=\s]\s*(.*)$/.exec(line);
    if (m?.[1]) entries[m[1].toLowerCase()] = (m[2] ?? '').trim();
  }
  const encryption = Object.keys(entries).find((k) => k === 'password' || k.startsWith('crypto.'));
  if (encryption) throw new JGitEncryptedError(remote, encryption, file);
  const result = propsSchema.safeParse({
    ...entries,
    ...(entries.acl !== undefined ? { acl: entries.acl.toLowerCase() } : {}),
    ...(entries.protocol !== undefined ? { protocol: entries.protocol.toLowerCase() } : {}),
  });
  if (!result.success) {
    const key = (result.error.issues[0]?.path[0] ?? 'accesskey') as Key;
    throw new BadConfigError(file, problem(key, entries[key]));
  }
  const p = result.data;
  return {
    accessKey: p.accesskey,
    secretKey: p.secretkey,
    acl: p.acl === undefined || p.acl === 'private' ? 'private' : 'public',
    ...(p.domain ? { domain: p.domain } : {}),
    ...(p.protocol ? { protocol: p.protocol } : {}),
  };
}

/**
 * The endpoint a properties file names: `domain` with its `protocol`, https unless the file says http (JGit
 * defaults to http; we send nothing in the clear unless asked). Undefined without a domain: the usual
 * endpoint then applies (AWS_ENDPOINT_URL, the profile, else AWS over https).
 */
export function propertiesEndpoint(properties: S3Properties): string | undefined {
  return properties.domain ? `${properties.protocol ?? 'https'}://${properties.domain}` : undefined;
}

export interface LoadedProperties {
  readonly properties: S3Properties;
  /** The file read (in `home`). */
  readonly file: string;
  /** Set when others can read the file, which holds a secret key. */
  readonly warning?: string;
}

/** Reads `<home>/<name>`; `remote` names the remote in a refusal of an encrypted one. */
export async function loadProperties(name: string, home: string, remote?: string): Promise<LoadedProperties> {
  const file = join(home, name);
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mode)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Shown as the user names it: the file is always looked for in their home directory.
    if (code === 'ENOENT') throw new MissingPropertiesFileError(`~/${name}`, file);
    throw new BadConfigError(file, `cannot read it (${code})`);
  }
  const properties = parseProperties(text, file, remote);
  const warning = (mode & 0o077) !== 0 ? `${file} is readable by other users; run 'chmod 600 ${file}'` : undefined;
  return { properties, file, ...(warning ? { warning } : {}) };
}
