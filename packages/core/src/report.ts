// The one place a failure becomes what the user sees and the exit code it means, for every entry point (the
// helper, both CLIs, the LFS agent): ours one `error: …` line, usage mistakes git's way, anything else a bug.
import { asExpected, GitRemoteS3Error, printable, UsageError } from './errors.js';
import { escapeControls } from './log.js';

/** Exit code of a command that failed on an expected error (ours, or one the machine reported). */
export const EXIT_FAILED = 1;
/** What git exits with for a command line it cannot act on (parse-options' usage_with_options). */
export const EXIT_USAGE = 129;
/** EX_SOFTWARE from sysexits.h: an internal error, i.e. a bug. */
export const EXIT_BUG = 70;

export interface Failure {
  /** What a terminal shows, without the final newline: `error: …` (then `usage: …` lines), or the bug report. */
  readonly text: string;
  /** The same without git's `error: ` prefix, for a program that frames it itself (git-lfs, in a JSON message). */
  readonly message: string;
  readonly exitCode: number;
}

/**
 * What `thrown` means to the user. Usage mistakes are core's UsageError and clipanion's (recognised by name,
 * so core needs no CLI library), and clipanion's parse errors, which name `program` and give its usages.
 */
export function describeFailure(thrown: unknown, verbose: boolean, program = 'git-remote-s3'): Failure {
  const usage = usageMistake(thrown, program);
  if (usage !== undefined) return failure('error: ', usage, EXIT_USAGE);
  const error = asExpected(thrown);
  if (error instanceof GitRemoteS3Error) {
    return failure('error: ', verbose && error.stack ? `${error.message}\n${error.stack}` : error.message, EXIT_FAILED);
  }
  const text = error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
  return failure(
    '',
    `fatal: unexpected failure (this is a bug in git-remote-s3; set GIT_REMOTE_S3_VERBOSE=1 for details): ${text}`,
    EXIT_BUG,
  );
}

/** The text a top-level handler prints: expected errors as one line, anything else as a bug report. */
export function describeError(error: unknown, verbose: boolean): string {
  return describeFailure(error, verbose).text;
}

/** Writes what a command line tool shows for `error` (describeFailure) and returns its exit code. */
export function reportFailure(error: unknown, write: (text: string) => void, verbose: boolean, program?: string): number {
  const { text, exitCode } = describeFailure(error, verbose, program);
  write(`${text}\n`);
  return exitCode;
}

function failure(prefix: string, message: string, exitCode: number): Failure {
  const shown = escapeControls(message);
  return { text: `${prefix}${shown}`, message: shown, exitCode };
}

/** clipanion's UnknownSyntaxError and AmbiguousSyntaxError, which the package does not export. */
interface SyntaxMistake extends Error {
  readonly input: readonly string[];
  readonly candidates?: readonly { readonly usage: string; readonly reason: string | null }[];
  readonly usages?: readonly string[];
}

/** The message of a usage mistake, in git's voice (what is wrong, then `usage:` lines where known), or undefined. */
function usageMistake(error: unknown, program: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof UsageError || error.name === 'UsageError') return error.message;
  const { input, candidates, usages } = error as Partial<SyntaxMistake>;
  if (!Array.isArray(input)) return undefined;
  // clipanion ends its input with a NUL token.
  const word = input.find((w) => w !== '\u0000' && !w.startsWith('-')) ?? input.join(' ');
  if (error.name === 'AmbiguousSyntaxError' && Array.isArray(usages)) {
    return [`'${printable(word)}' could mean more than one ${program} command`, ...usages.map((u) => `usage: ${u}`)].join('\n');
  }
  if (error.name !== 'UnknownSyntaxError' || !Array.isArray(candidates)) return undefined;
  const reasons = new Set(candidates.map((c) => c.reason));
  const [reason] = reasons;
  if (reasons.size === 1 && reason)
    return [reason.replace(/\.$/, '').toLowerCase(), ...candidates.map((c) => `usage: ${c.usage}`)].join('\n');
  return `'${printable(word)}' is not a ${program} command; see '${program} --help'`;
}
