// Every failure a user can cause or meet, as typed errors with a stable `code` and a message in git's
// voice (what failed, on which bucket/key, what to do). report.ts turns them into what the user sees.
import { getSystemErrorMap } from 'node:util';

export type ErrorCode =
  | 'bad-url'
  | 'bad-ref'
  | 'bad-key'
  | 'bad-config'
  | 'no-such-bucket'
  | 'access-denied'
  | 'no-credentials'
  | 'no-such-profile'
  | 'not-found'
  | 'no-such-object'
  | 'layout-conflict'
  | 'precondition-failed'
  | 'lock-held'
  | 'lock-lost'
  | 'non-fast-forward'
  | 'protected-branch'
  | 'multiple-bundles'
  | 'corrupt-object'
  | 'shallow-update'
  | 'lazy-fetch'
  | 'incomplete-remote'
  | 'migration-refused'
  | 'migration-aborted'
  | 'migration-incomplete'
  | 'jgit-encrypted'
  | 'unknown-layout'
  | 'network'
  | 's3'
  | 'git-missing'
  | 'git-failed'
  | 'local-io'
  | 'usage'
  | 'no-such-branch'
  | 'wrong-layout'
  | 'not-in-repository';

/** Base of every expected error: the message is for the user, `data` is for programs and tests. */
export class GitRemoteS3Error extends Error {
  readonly code: ErrorCode;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}

/**
 * A command line the command cannot act on (a missing or contradictory option, a bad argument): thrown by
 * library code so that it needs no CLI library; reported as a usage mistake.
 */
export class UsageError extends GitRemoteS3Error {
  constructor(message: string) {
    super('usage', message);
  }
}

/** A command named a branch the remote does not have (`git branch -d nope` exits 1 too: not a usage mistake). */
/** A command that needs a repository (to name a remote, or to write its config) was run outside one. */
export class NotInRepositoryError extends GitRemoteS3Error {
  constructor(hint: string) {
    super('not-in-repository', `not in a git repository (${hint})`, { hint });
  }
}

/** An `amazon-s3://<file>@…` URL names a properties file (JGit's) that is not in the home directory. */
export class MissingPropertiesFileError extends GitRemoteS3Error {
  constructor(shown: string, file: string) {
    super('bad-config', `amazon-s3 properties file ${shown} not found; create it with accesskey and secretkey lines (chmod 600)`, { file });
  }
}

export class NoSuchBranchError extends GitRemoteS3Error {
  /** `purpose`: what the branch was wanted for, when not simply to act on it (`point HEAD at refs/heads/x`). */
  constructor(branch: string, remote: string, purpose?: string) {
    super(
      'no-such-branch',
      purpose === undefined
        ? `branch ${printable(branch)} does not exist on ${remote}`
        : `cannot ${purpose}: there is no such branch on ${remote}`,
      { branch, remote },
    );
  }
}

/** A command that only makes sense for the other layout, or a remote whose scheme fixes its layout. */
export class WrongLayoutError extends GitRemoteS3Error {
  constructor(remote: string, reason: string) {
    super('wrong-layout', reason, { remote });
  }
}

export class BadUrlError extends GitRemoteS3Error {
  constructor(url: string, reason: string) {
    super(
      'bad-url',
      `invalid remote url '${printable(url)}': ${reason}; expected s3://[<profile>@]<bucket>/<prefix>, s3+zip://[<profile>@]<bucket>/<prefix> or amazon-s3://[<propsfile>@]<bucket>/<path>`,
      { url, reason },
    );
  }
}

export class BadRefError extends GitRemoteS3Error {
  constructor(ref: string, reason: string) {
    super('bad-ref', `'${printable(ref)}' is not a valid ref name: ${reason}`, {
      ref,
      reason,
    });
  }
}

export class BadKeyError extends GitRemoteS3Error {
  constructor(key: string, reason: string) {
    super('bad-key', `unexpected key '${printable(key)}' in the bucket: ${reason}`, { key, reason });
  }
}

export class BadConfigError extends GitRemoteS3Error {
  constructor(setting: string, reason: string) {
    super('bad-config', `bad value for ${setting}: ${reason}`, {
      setting,
      reason,
    });
  }
}

export class NoSuchBucketError extends GitRemoteS3Error {
  constructor(bucket: string, endpoint?: string) {
    const where = endpoint ? ` at ${endpoint}` : '';
    super(
      'no-such-bucket',
      `bucket '${bucket}' does not exist${where}; create it first (aws s3 mb s3://${bucket}) or check the remote url`,
      { bucket, endpoint },
    );
  }
}

export class AccessDeniedError extends GitRemoteS3Error {
  constructor(action: string, bucket: string, key: string | undefined, profile: string | undefined) {
    const target = key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`;
    const who = profile ? ` (profile '${profile}')` : '';
    super('access-denied', `access denied: ${action} on ${target}${who}; grant s3:${action} to these credentials or use another profile`, {
      action,
      bucket,
      key,
      profile,
    });
  }
}

export class NoCredentialsError extends GitRemoteS3Error {
  /**
   * `advice`: what to run, when the caller knows the kind of profile (SSO or keys); `note`: a clause on why
   * other credentials were not used (AWS_PROFILE outranking keys in the environment).
   */
  constructor(profile: string | undefined, detail: string, advice?: string, note = '', options?: ErrorOptions) {
    const which = profile ? `profile '${profile}'` : 'the default credential chain';
    const fix =
      advice ??
      (profile
        ? `run 'aws sso login --profile ${profile}' or 'aws configure --profile ${profile}'`
        : 'set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws configure');
    super('no-credentials', `no valid AWS credentials from ${which} (${detail}); ${fix}${note}`, { profile, detail }, options);
  }
}

/** A profile named by the remote URL or AWS_PROFILE that neither shared file defines (the SDK would fall through). */
export class NoSuchProfileError extends GitRemoteS3Error {
  /** `files`: the config and credentials files looked in, as the user would write them; `note` as for NoCredentialsError. */
  constructor(profile: string, files: readonly [string, string], note = '') {
    super('no-such-profile', `AWS profile '${profile}' not found in ${files[0]} or ${files[1]}${note}`, { profile, files });
  }
}

export class NotFoundError extends GitRemoteS3Error {
  constructor(bucket: string, key: string) {
    super('not-found', `s3://${bucket}/${key} does not exist`, { bucket, key });
  }
}

/** git asked for an object id (`git fetch <remote> <sha>`, a submodule's commit) that no ref of the remote reaches. */
export class NoSuchObjectError extends GitRemoteS3Error {
  constructor(remote: string, sha: string) {
    super('no-such-object', `${remote} has no object ${sha}; fetch a branch or tag that contains it`, { remote, sha });
  }
}

/** Two first pushes, one per layout, raced: clients read the layout HEAD names, so the other push's refs go unread. */
export class LayoutConflictError extends GitRemoteS3Error {
  constructor(remote: string, layout: string, headText: string, remedy: string) {
    super(
      'layout-conflict',
      `another first push made ${remote} a ${layout}-layout remote at the same moment (HEAD '${printable(headText)}'): clients read that layout, not these refs; ${remedy}`,
      { remote, layout, headText },
    );
  }
}

export class PreconditionFailedError extends GitRemoteS3Error {
  constructor(bucket: string, key: string, condition: string) {
    super('precondition-failed', `conditional write of s3://${bucket}/${key} refused (${condition})`, {
      bucket,
      key,
      condition,
    });
  }
}

/**
 * A live lock: another push holds the ref. Before the TTL no command may touch it (doctor would leave it),
 * so the hint says when it turns stale, after which the next push takes it over by itself.
 */
export class LockHeldError extends GitRemoteS3Error {
  constructor(url: string, ref: string, lockKey: string, ageMs: number, ttlMs: number) {
    super(
      'lock-held',
      `ref ${ref} is locked by another push (${url}, ${formatAge(ageMs)} old); retry when it is done (a lock left by a push that died is stale in ${formatAge(Math.max(1000, ttlMs - ageMs))}, and the next push then takes it over)`,
      { ref, lockKey, ageMs, ttlMs },
    );
  }
}

/** Two bundles of a ref while its lock is live: a push is between uploading the new and removing the old. */
export class PushInProgressError extends GitRemoteS3Error {
  constructor(ref: string, lockUrl: string, ageMs: number, doctorUrl: string) {
    super(
      'lock-held',
      `ref ${ref} is being pushed right now (2 bundles while ${lockUrl} is ${formatAge(ageMs)} old); retry in a moment, or run 'git s3 doctor ${doctorUrl}' if it persists`,
      { ref, lockUrl, ageMs },
    );
  }
}

export class LockLostError extends GitRemoteS3Error {
  constructor(url: string) {
    super('lock-lost', `lost the lock ${url} while pushing (another push took it over); nothing was committed, retry`, {
      url,
    });
  }
}

export class ProtectedBranchError extends GitRemoteS3Error {
  constructor(branch: string, action: 'force push' | 'delete', doctorUrl: string) {
    super(
      'protected-branch',
      `branch ${branch} is protected: refusing to ${action} it; run 'git s3 unprotect ${doctorUrl} ${branch}' first if you mean it`,
      { branch, action },
    );
  }
}

export class MultipleBundlesError extends GitRemoteS3Error {
  constructor(ref: string, keys: readonly string[], doctorUrl: string) {
    super(
      'multiple-bundles',
      `ref ${ref} has ${keys.length} bundles (${keys.join(', ')}); run 'git s3 doctor ${doctorUrl}' to inspect and repair`,
      { ref, keys },
    );
  }
}

export class CorruptObjectError extends GitRemoteS3Error {
  constructor(url: string, what: string, remedy = 'restore it from a good clone with a forced push') {
    super('corrupt-object', `${url} is corrupt: ${what}; ${remedy}`, {
      url,
      what,
    });
  }
}

/**
 * What to do about a shallow clone: s3 remotes cannot deepen one (they send no shallow information, and git
 * has no plumbing to rewrite .git/shallow), so only the remote the clone came from can.
 */
export const UNSHALLOW_REMEDY = "run 'git fetch --unshallow' from the remote you cloned from";

/**
 * The helper started by a lazy fetch that one of its own git commands caused (a partial clone's promisor
 * remote is this s3 remote): serving it would start the same git command again, without end.
 */
export class LazyFetchRefusedError extends GitRemoteS3Error {
  constructor() {
    super(
      'lazy-fetch',
      'git-remote-s3 does not serve lazy fetches of missing objects started by its own git commands; the objects count as missing',
    );
  }
}

/**
 * A push from a shallow repository that would leave the remote without the history below its shallow
 * boundary: refused before any upload, in the words git's receive-pack uses for the same refusal.
 */
export class ShallowPushError extends GitRemoteS3Error {
  constructor(ref: string, boundary: string, why: 'bundle' | 'packs') {
    const lacks = why === 'bundle' ? "a bundle holds its ref's whole history" : 'no ref of the remote that this clone has reaches it';
    super(
      'shallow-update',
      `shallow update not allowed: this shallow clone lacks the history below ${boundary.slice(0, 12)}, and ${lacks}; ${UNSHALLOW_REMEDY} and push again`,
      { ref, boundary, why },
    );
  }
}

/**
 * Objects reachable from a ref are missing where a push or a rewrite would commit it: from the local
 * repository (a partial clone whose promisor remote cannot supply them) or from the remote itself.
 * `where` says where they are missing, with git's complaint.
 */
export class IncompleteRemoteError extends GitRemoteS3Error {
  constructor(what: string, ref: string, where: string, remedy: string) {
    super('incomplete-remote', `${what}: objects reachable from ${ref} are missing ${where}; ${remedy}`, { ref, where });
  }
}

/** `git s3 migrate` would not start: nothing was written. `reason` says why and what to do. */
export class MigrationRefusedError extends GitRemoteS3Error {
  constructor(url: string, reason: string) {
    super('migration-refused', `cannot migrate ${url}: ${reason}`, { url, reason });
  }
}

/** `git s3 migrate` stopped before switching HEAD: the source layout is as it was, the target's keys were removed. */
export class MigrationAbortedError extends GitRemoteS3Error {
  constructor(url: string, to: string, reason: string) {
    super(
      'migration-aborted',
      `migration of ${url} to the ${to} layout aborted: ${reason}; the remote is unchanged (what was written is removed), run it again`,
      { url, to, reason },
    );
  }
}

/**
 * `git s3 migrate` switched HEAD, but something landed in the old layout meanwhile: those keys were kept.
 * Two lines, as git gives them: what happened, then a `hint:` with what to do.
 */
export class MigrationIncompleteError extends GitRemoteS3Error {
  constructor(url: string, to: string, what: string, remedy: string) {
    super('migration-incomplete', `${url} is now in the ${to} layout, but ${what}\nhint: ${remedy}`, { url, to, what });
  }
}

/** A remote JGit encrypts on the client (`password` or `crypto.*` in its properties file): ciphertext only JGit reads. */
export class JGitEncryptedError extends GitRemoteS3Error {
  constructor(remote: string, key: string, file: string) {
    super('jgit-encrypted', `${remote} is encrypted by JGit (${key} in ${file}); git-remote-s3 cannot read JGit's encryption`, {
      remote,
      key,
      file,
    });
  }
}

/**
 * A prefix whose HEAD is neither layout's form: refused rather than read as empty or as the other layout,
 * which would clone nothing, or push beside a repository another tool keeps there.
 */
export class UnknownLayoutError extends GitRemoteS3Error {
  constructor(remote: string, headUrl: string, text: string) {
    // Ciphertext or binary: only printable ASCII is shown as it is, so the terminal gets no stray bytes.
    const shown = asciiOnly(printable(text.trim().slice(0, 40))) + (text.trim().length > 40 ? '…' : '');
    super(
      'unknown-layout',
      `cannot tell the layout of ${remote}: ${headUrl} holds '${shown}', neither 'ref: refs/heads/<branch>' (packs layout) nor a ref name (bundle layout); a remote that JGit encrypts (password in its properties file) looks like this and cannot be read; otherwise rewrite HEAD in one of those forms`,
      { remote, headUrl },
    );
  }
}

export class NetworkError extends GitRemoteS3Error {
  constructor(endpoint: string, detail: string) {
    super('network', `cannot reach ${endpoint} (${detail}); check the endpoint and your network`, {
      endpoint,
      detail,
    });
  }
}

export class S3RequestError extends GitRemoteS3Error {
  constructor(action: string, bucket: string, key: string | undefined, status: number | undefined, detail: string) {
    const target = key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`;
    super('s3', `${action} on ${target} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`, {
      action,
      bucket,
      key,
      status,
    });
  }
}

export class GitMissingError extends GitRemoteS3Error {
  constructor(detail: string) {
    super('git-missing', `cannot run git (${detail}); install git 2.30 or newer and make sure it is on PATH`, {
      detail,
    });
  }
}

export class GitFailedError extends GitRemoteS3Error {
  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    const last = stderr.trim().split('\n').slice(-3).join('\n');
    const status = exitCode === null ? 'was killed' : `exited with ${exitCode}`;
    super('git-failed', `'git ${args.join(' ')}' ${status}${last ? `: ${last}` : ''}`, { args, exitCode, stderr });
  }
}

/**
 * The local machine refused an operation (a file git-lfs named that is gone, a directory that cannot be
 * written, a full disk): the environment's answer, never a bug of ours.
 */
export class LocalIoError extends GitRemoteS3Error {
  constructor(syscall: string, errno: string, path: string | undefined, detail: string) {
    const what = path === undefined ? `${syscall} failed` : `cannot ${syscall} '${printable(path)}'`;
    const remedy = path === undefined ? '' : '; check the path, its permissions and the free disk space';
    super('local-io', `${what}: ${detail} (${errno})${remedy}`, { syscall, errno, path });
  }
}

/**
 * `error` as one of ours when it is a failure the machine reported (Node's system errors: a `code` like
 * ENOENT and the `syscall` that failed), else unchanged: what top-level handlers and the LFS agent report.
 */
export function asExpected(error: unknown): unknown {
  if (error instanceof GitRemoteS3Error || !(error instanceof Error)) return error;
  const { code, syscall, path, errno } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code) || typeof syscall !== 'string') return error;
  const detail = (typeof errno === 'number' ? getSystemErrorMap().get(errno)?.[1] : undefined) ?? code;
  return new LocalIoError(syscall, code, typeof path === 'string' ? path : undefined, detail);
}

/** `12s`, `3m04s`, `2h10m`: the way ages are shown in messages. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `text` with every character outside printable ASCII as `\u{…}` (bytes that were not UTF-8 read as U+FFFD). */
function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** Shows control characters of untrusted text as escapes so that a message cannot rewrite the terminal. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
