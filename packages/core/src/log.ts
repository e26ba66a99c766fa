// The one logger: stderr only (stdout belongs to git's protocol), levels from git's verbosity and
// GIT_REMOTE_S3_VERBOSE. Messages never carry credentials; URLs are stripped of signatures defensively.

/** 0 quiet, 1 normal (git's default), 2 verbose (each S3 request and git command), 3 trace. */
export type Verbosity = 0 | 1 | 2 | 3;

export interface Logger {
  verbosity: Verbosity;
  error(message: string): void;
  warn(message: string): void;
  /** Printed only once per process for the same text (e.g. a warning about every listing). */
  warnOnce(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
  /** Sends every line elsewhere from now on (e.g. the LFS agent's debug log file). */
  redirect(write: (text: string) => void): void;
}

const SECRET_QUERY = /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s]*/gi;

export function redact(text: string): string {
  return text.replace(SECRET_QUERY, '$1<redacted>');
}

/** Escapes control characters other than newline and tab, so text cannot rewrite the terminal. */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function verbosityFromEnv(env: NodeJS.ProcessEnv): Verbosity | undefined {
  const value = env.GIT_REMOTE_S3_VERBOSE;
  if (value === undefined || value === '' || value === '0' || value.toLowerCase() === 'false') return undefined;
  return value === '3' ? 3 : 2;
}

export function createLogger(initialWrite: (text: string) => void = (t) => process.stderr.write(t), verbosity: Verbosity = 1): Logger {
  const seen = new Set<string>();
  let write = initialWrite;
  // Names read from a bucket end up in messages: control characters are shown escaped, never sent raw.
  const emit = (prefix: string, message: string) => write(`${prefix}${escapeControls(redact(message))}\n`);
  const logger: Logger = {
    verbosity,
    error: (m) => emit('error: ', m),
    warn: (m) => logger.verbosity >= 1 && emit('warning: ', m),
    warnOnce: (m) => {
      if (seen.has(m)) return;
      seen.add(m);
      logger.warn(m);
    },
    info: (m) => logger.verbosity >= 1 && emit('', m),
    debug: (m) => logger.verbosity >= 2 && emit('s3: ', m),
    trace: (m) => logger.verbosity >= 3 && emit('s3 trace: ', m),
    redirect: (w) => {
      write = w;
    },
  };
  return logger;
}

/** The process-wide logger; entry points set its verbosity once they know it. */
export const log: Logger = createLogger(undefined, verbosityFromEnv(process.env) ?? 1);
