// Where the built binaries are: the harness puts these first on PATH.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN_DIRS = [
  join(REPO_ROOT, 'packages', 'remote-helper', 'dist', 'bin'),
  join(REPO_ROOT, 'packages', 'lfs-transfer', 'dist', 'bin'),
];
