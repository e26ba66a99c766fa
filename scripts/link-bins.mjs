// Build step: makes dist/bin/<name> links to one bundled entry, so every binary name of a package
// (git-remote-s3, git-remote-s3+zip, git-s3, …) can be put on PATH straight from the build output.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const [dist, entry, ...names] = process.argv.slice(2);
if (!dist || !entry || names.length === 0) {
  console.error('usage: link-bins.mjs <dist> <entry.js> <name>...');
  process.exit(2);
}
chmodSync(join(dist, entry), 0o755);
const bin = join(dist, 'bin');
mkdirSync(bin, { recursive: true });
for (const name of names) {
  rmSync(join(bin, name), { force: true });
  symlinkSync(join('..', entry), join(bin, name));
}
