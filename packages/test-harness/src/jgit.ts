// JGit's command line (org.eclipse.jgit.pgm), the client the amazon-s3:// URL, its properties file and the
// packs layout come from (issue 15): a pinned set of jars, fetched one by one from Maven Central with
// `mvn dependency:copy` into the test cache (outside the repository), run with the machine's Java.
// `tsx packages/test-harness/src/jgit.ts --install-only` installs it ahead of a test run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from './minio.js';
import { type RunOptions, type RunResult, run } from './process.js';

export const JGIT_VERSION = '7.8.1.202611041320-r';

/**
 * Every jar the command line needs to start and to push and fetch amazon-s3:// remotes, pinned (no
 * transitive resolution: pgm 7.8.1's pom names modules that Maven Central has only at older versions).
 * Its Main registers LFS and may install the Apache HTTP connection factory, the AWT authenticator and both
 * SSH factories at start-up, so those modules come too, at the newest version that resolves.
 */
const JGIT_ARTIFACTS = [
  `org.eclipse.jgit:org.eclipse.jgit:${JGIT_VERSION}`,
  `org.eclipse.jgit:org.eclipse.jgit.pgm:${JGIT_VERSION}`,
  `org.eclipse.jgit:org.eclipse.jgit.ssh.apache:${JGIT_VERSION}`,
  `org.eclipse.jgit:org.eclipse.jgit.ssh.jsch:${JGIT_VERSION}`,
  'org.eclipse.jgit:org.eclipse.jgit.lfs:7.6.0.202603022253-r',
  'org.eclipse.jgit:org.eclipse.jgit.http.apache:7.6.0.202603022253-r',
  'org.eclipse.jgit:org.eclipse.jgit.ui:7.7.1.202607240634-r',
  'args4j:args4j:2.37',
  'com.googlecode.javaewah:JavaEWAH:1.2.3',
  'commons-codec:commons-codec:1.22.1',
  'com.google.code.gson:gson:2.14.0',
  'org.slf4j:slf4j-api:2.0.18',
  'org.slf4j:slf4j-simple:2.0.18',
  'org.apache.httpcomponents:httpclient:4.5.14',
  'org.apache.httpcomponents:httpcore:4.4.16',
  'commons-logging:commons-logging:1.4.0',
  'org.apache.sshd:sshd-osgi:2.19.0',
  'com.jcraft:jsch:0.1.55',
] as const;

const JGIT_MAIN = 'org.eclipse.jgit.pgm.Main';

/** `<cache>/jgit-7.8.1…`: the jars, published whole by an atomic rename. */
function jgitDir(): string {
  return join(cacheDir(), `jgit-${JGIT_VERSION}`);
}

/** Why JGit cannot run here (no `java` on PATH), or undefined when it can. */
export function javaMissing(): string | undefined {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return probe.error || probe.status !== 0 ? `java is not on PATH (${probe.error?.message ?? `exit ${probe.status}`})` : undefined;
}

/** Fetches the pinned jars once (with `mvn`), printing progress; reuses the cached set. */
export async function ensureJgit(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const published = jgitDir();
  if (existsSync(join(published, 'complete'))) return published;
  await mkdir(cacheDir(), { recursive: true });
  const staging = await mkdtemp(`${published}-`);
  const started = Date.now();
  log(`fetching JGit ${JGIT_VERSION} (${JGIT_ARTIFACTS.length} jars) from Maven Central with mvn (first run only; cached in ${published})`);
  try {
    for (const artifact of JGIT_ARTIFACTS) {
      const result = await run(
        'mvn',
        ['-q', '-B', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${staging}`],
        process.env,
      );
      if (result.code !== 0)
        throw new Error(`mvn dependency:copy -Dartifact=${artifact} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    }
    await writeFile(join(staging, 'complete'), `${JGIT_ARTIFACTS.join('\n')}\n`);
    if (existsSync(join(published, 'complete'))) {
      // another process published it meanwhile: keep theirs
      await rm(staging, { recursive: true, force: true });
      return published;
    }
    await rm(published, { recursive: true, force: true });
    await rename(staging, published);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  log(`fetched JGit in ${Math.round((Date.now() - started) / 1000)}s`);
  return published;
}

export interface JgitOptions extends RunOptions {
  /** Where JGit reads its properties files (`user.home`): the test's HOME. */
  readonly home: string;
  /** The forward proxy port that takes JGit's http://<bucket>.<domain>/ requests to the server. */
  readonly proxyPort: number;
}

/** Runs `jgit <args>` (the pgm Main) with the machine's Java. */
export function jgit(args: readonly string[], env: Readonly<Record<string, string>>, options: JgitOptions): Promise<RunResult> {
  const java = [
    '-Djava.awt.headless=true',
    `-Duser.home=${options.home}`,
    '-Dhttp.proxyHost=127.0.0.1',
    `-Dhttp.proxyPort=${options.proxyPort}`,
    // plain output, no terminal progress meters
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-cp',
    `${jgitDir()}/*`,
    JGIT_MAIN,
  ];
  return run('java', [...java, ...args], env, { timeoutMs: 120_000, ...options });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv.includes('--install-only')) {
    process.stderr.write('usage: tsx packages/test-harness/src/jgit.ts --install-only\n');
    process.exit(2);
  }
  const missing = javaMissing();
  if (missing) {
    process.stdout.write(`JGit not installed: ${missing}; the JGit interoperability tests will be skipped\n`);
  } else {
    const dir = await ensureJgit();
    const version = spawnSync('java', ['-cp', `${dir}/*`, JGIT_MAIN, 'version'], { encoding: 'utf8' });
    if (version.status !== 0) throw new Error(`JGit in ${dir} does not start:\n${version.stderr}`);
    process.stdout.write(`${version.stdout.trim()} ready: ${dir}\n`);
  }
}
