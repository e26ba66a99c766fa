// The transfer agent git-lfs runs: reads JSON lines from stdin, answers on stdout (and nothing else goes
// there), one `complete` per object; a failed object is reported and the agent carries on. Several agents
// run at once under git-lfs, so nothing here assumes it is alone.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { readGitConfig } from '@git-remote-s3/core/config';
import { GitRemoteS3Error } from '@git-remote-s3/core/errors';
import { log } from '@git-remote-s3/core/log';
import type { Remote } from '@git-remote-s3/core/remote';
import { gitDir } from '@git-remote-s3/core/repo';
import { describeFailure, reportFailure } from '@git-remote-s3/core/report';
import { parseRemoteUrl } from '@git-remote-s3/core/url';
import { complete, completeError, initError, initOk, parseMessage, progress, type TransferMessage } from './protocol.js';
import { resolveLfsUrl } from './resolve-remote.js';

export interface AgentOptions {
  /** Log each request, its timing and errors to <git-dir>/lfs/tmp/git-lfs-s3.log. */
  readonly debug: boolean;
}

/**
 * Serves git-lfs until it says terminate; a failure of an object travels to git-lfs in the protocol, a failure
 * of the agent itself (run outside a repository) is reported on stderr like any command's.
 */
export async function runAgent(options: AgentOptions): Promise<number> {
  try {
    return await serve(options);
  } catch (error) {
    return reportFailure(error, (text) => process.stderr.write(text), options.debug);
  }
}

async function serve(options: AgentOptions): Promise<number> {
  const tmpDir = join(await gitDir(), 'lfs', 'tmp');
  const debug = options.debug ? debugLogger(join(tmpDir, 'git-lfs-s3.log')) : () => {};
  // git-lfs owns the terminal and errors travel in the protocol; with debug on, every S3 request and git
  // command goes to the log file.
  log.verbosity = options.debug ? 2 : 0;
  if (options.debug) log.redirect((text) => debug(text.trimEnd()));
  const send = (line: string) => process.stdout.write(`${line}\n`);
  // git-lfs starts several agents at once and many get no object at all: init only resolves and checks
  // the URL; the store (and the AWS SDK) loads with the first transfer.
  let target: { url: string; name: string } | undefined;
  let remote: Promise<Remote> | undefined;
  let setupError: string | undefined;
  const openOnce = (): Promise<Remote> => {
    if (!target) return Promise.reject(new GitRemoteS3Error('bad-config', setupError ?? 'the agent was not initialised'));
    const { url, name } = target;
    remote ??= import('@git-remote-s3/core/remote').then(({ openRemote }) => openRemote(url, name));
    return remote;
  };
  const inFlight = new Set<Promise<void>>();

  const transfer = async (message: TransferMessage) => {
    const started = Date.now();
    let last = 0;
    const report = (bytes: number) => {
      if (bytes <= last && !(bytes === message.size && last === 0)) return;
      send(progress(message.oid, bytes, bytes - last));
      last = bytes;
    };
    try {
      const [opened, { uploadObject, downloadObjectToFile }] = await Promise.all([openOnce(), import('./transfer.js')]);
      if (message.event === 'upload') {
        if (!message.path) throw new GitRemoteS3Error('bad-config', 'git-lfs sent an upload without a path');
        const { skipped } = await uploadObject(opened, message.oid, message.size, message.path, report);
        send(complete(message.oid));
        debug(
          `upload ${message.oid} (${message.size} bytes) ${skipped ? 'already stored, skipped' : 'done'} in ${Date.now() - started} ms`,
        );
      } else {
        const path = await downloadObjectToFile(opened, message.oid, message.size, tmpDir, report);
        send(complete(message.oid, path));
        debug(`download ${message.oid} (${message.size} bytes) done in ${Date.now() - started} ms`);
      }
    } catch (error) {
      const text = describeFailure(error, false).message;
      send(completeError(message.oid, text));
      debug(`${message.event} ${message.oid} failed: ${text}`);
    }
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = parseMessage(line);
    if (parsed.kind === 'init') {
      try {
        const config = await readGitConfig();
        const url = resolveLfsUrl(parsed.message.remote, config);
        parseRemoteUrl(url); // a bad URL fails init, before any transfer is tried
        target = { url, name: parsed.message.remote };
        debug(`init ${parsed.message.operation} for ${parsed.message.remote}: ${url}/lfs/`);
        send(initOk());
      } catch (error) {
        setupError = describeFailure(error, false).message;
        debug(`init failed: ${setupError}`);
        send(initError(setupError));
      }
    } else if (parsed.kind === 'transfer') {
      const job = transfer(parsed.message).finally(() => inFlight.delete(job));
      inFlight.add(job);
    } else if (parsed.kind === 'terminate') {
      break;
    } else if (parsed.oid) {
      send(completeError(parsed.oid, parsed.reason));
    } else {
      debug(`ignored a message: ${parsed.reason}`);
    }
  }
  await Promise.all(inFlight);
  if (remote) (await remote.catch(() => undefined))?.store.close();
  return 0;
}

function debugLogger(file: string): (line: string) => void {
  return (line) => {
    try {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
    } catch {
      // a debug log that cannot be written must not break a transfer
    }
  };
}
