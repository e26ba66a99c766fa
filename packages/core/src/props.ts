// Reads the JGit/gits3 properties file named in `amazon-s3://<file>@bucket/path` (DESIGN §2): Java-style
// `key: value` or `key=value` lines in a file in $HOME with accesskey, secretkey, optional acl and domain.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { BadConfigError } from './errors.js';

export interface S3Properties {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly acl: 'public' | 'private';
  /** S3 endpoint host, e.g. `s3.eu-west-1.amazonaws.com` or `127.0.0.1:9000`. */
  readonly domain?: string;
}

const propsSchema = z.object({
  accesskey: z.string().check(z.minLength(1, 'accesskey is empty')),
  secretkey: z.string().check(z.minLength(1, 'secretkey is empty')),
  acl: z._default(z.enum(['public', 'private'], 'acl must be public or private (expected one of public, private)'), 'private'),
  domain: z.optional(z.string().check(z.regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'domain must be a host name, optionally with a port'))),
});

/** Parses properties text; keys are case-insensitive, `#` and `!` start comments. */
export function parseProperties(text: string, file: string): S3Properties {
  const entries: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^:=\s]+)\s*[:=\s]\s*(.*)$/.exec(line);
    if (m?.[1]) entries[m[1].toLowerCase()] = (m[2] ?? '').trim();
  }
  const result = propsSchema.safeParse(entries);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what = issue?.code === 'invalid_type' ? `missing ${String(issue.path[0])}` : (issue?.message ?? 'invalid');
    throw new BadConfigError(file, `${what}; it needs 'accesskey: …' and 'secretkey: …' lines`);
  }
  const p = result.data;
  return {
    accessKey: p.accesskey,
    secretKey: p.secretkey,
    acl: p.acl,
    ...(p.domain ? { domain: p.domain } : {}),
  };
}

export interface LoadedProperties {
  readonly properties: S3Properties;
  /** Set when others can read the file, which holds a secret key. */
  readonly warning?: string;
}

export async function loadProperties(name: string, home: string): Promise<LoadedProperties> {
  const file = join(home, name);
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mode)]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BadConfigError(
      file,
      code === 'ENOENT' ? 'no such file; create it with accesskey and secretkey lines (chmod 600)' : `cannot read it (${code})`,
    );
  }
  const properties = parseProperties(text, file);
  const warning = (mode & 0o077) !== 0 ? `${file} is readable by other users; run 'chmod 600 ${file}'` : undefined;
  return { properties, ...(warning ? { warning } : {}) };
}
