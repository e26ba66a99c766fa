// Recognising our own conditional write after its answer was lost (DESIGN §11): a store may carry out a
// write and then answer 5xx or drop the connection; the SDK retries, and the retry is refused (412) by the
// very write it repeats. Reading the key back tells our landed write from a rival's before anyone acts on it.
import { GitRemoteS3Error, NetworkError, NotFoundError, PreconditionFailedError, S3RequestError } from './errors.js';
import { log } from './log.js';

/** What the key holds when read back: its bytes and ETag. */
export interface StoredBytes {
  readonly bytes: Uint8Array;
  readonly etag: string;
}

/**
 * Whether a failed conditional write may nonetheless have landed. A 412 answered to our only attempt was the
 * store refusing it, so it did not; a 412 after a retry may be our first attempt's write refusing its repeat;
 * a 5xx or a network failure says nothing about whether the store carried the write out.
 */
export function mayHaveLanded(error: unknown, attempts: number): boolean {
  if (error instanceof PreconditionFailedError) return attempts > 1;
  if (error instanceof NetworkError) return true;
  if (error instanceof S3RequestError) {
    const status = error.data.status;
    return typeof status !== 'number' || status >= 500;
  }
  // Anything the store layer did not classify (a socket torn down mid-answer) is as uninformative as a 5xx.
  return !(error instanceof GitRemoteS3Error) && (error as { name?: string }).name !== 'AbortError';
}

/** Equal bytes: our write landed, or one identical to it did, so the state we asked for holds. */
function isSameBytes(stored: Uint8Array, sent: Uint8Array): boolean {
  return stored.byteLength === sent.byteLength && Buffer.from(stored).equals(Buffer.from(sent));
}

/**
 * Runs the conditional write `write`; when it fails in a way that may hide its own landed write, reads the
 * key back, and if it holds exactly the bytes `sent`, answers success with the stored ETag. Otherwise (a
 * rival's bytes, no object, or the read failing too) the write's own failure stands. `attempts` tells how
 * many HTTP attempts the failed write made (1: the SDK did not retry).
 */
export async function writeRecognisingOwn(
  write: () => Promise<{ readonly etag: string }>,
  sent: Uint8Array,
  readBack: () => Promise<StoredBytes | undefined>,
  attempts: () => number,
  what = 'conditional write',
): Promise<{ readonly etag: string }> {
  try {
    return await write();
  } catch (error) {
    if (!mayHaveLanded(error, attempts())) throw error;
    const stored = await readBack().catch((readError: unknown) => {
      log.debug(`${what} failed (${(error as Error).message}) and reading it back failed too: ${(readError as Error).message}`);
      return undefined;
    });
    if (!stored || !isSameBytes(stored.bytes, sent)) throw error;
    log.debug(`${what}: the answer was lost (${(error as Error).message}), but the store holds our bytes; it landed`);
    return { etag: stored.etag };
  }
}

/**
 * Whether a streamed upload that failed after sending `sent` bytes landed anyway: its completion's answer was
 * lost and the retry found the upload already completed (404 NoSuchUpload), or a 5xx/reset hid the outcome.
 * Its bytes are gone by then, so it is judged by the key: an object of exactly that size written since the
 * upload started (`elapsedMs` ago, on the server's clock with a little slack for its 1 s resolution).
 */
export function isOwnUpload(
  error: unknown,
  found: { readonly size: number; readonly lastModified: Date; readonly serverTime: Date } | undefined,
  sent: number,
  elapsedMs: number,
): boolean {
  if (!found || sent === 0 || found.size !== sent) return false;
  if (!(error instanceof NotFoundError) && !mayHaveLanded(error, 2)) return false;
  return found.serverTime.getTime() - found.lastModified.getTime() <= elapsedMs + 2000;
}
