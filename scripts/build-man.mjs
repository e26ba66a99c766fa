// Build step: writes a program's man page from its own usage text, so `git s3 --help` (which git turns into
// `man git-s3`) shows what `-h` shows. It runs the built program with clipanion's `--clipanion=definitions`
// and `--version`, and knows nothing of the package layout: every path is an argument.
//
//   node scripts/build-man.mjs --bin dist/bin/git-s3 --page git-s3 --out man/man1/git-s3.1 \
//     --summary '…' [--synopsis '<usage line>']... [--description '<paragraph>']... [--see-also git-remote-s3]...
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { renderManPage } from './man-page.mjs';

const { values } = parseArgs({
  options: {
    bin: { type: 'string' },
    page: { type: 'string' },
    out: { type: 'string' },
    summary: { type: 'string' },
    description: { type: 'string', multiple: true, default: [] },
    synopsis: { type: 'string', multiple: true, default: [] },
    'see-also': { type: 'string', multiple: true, default: [] },
  },
});
const { bin, page, out, summary } = values;
if (!bin || !page || !out || !summary) {
  console.error(
    'usage: build-man.mjs --bin <program> --page <name> --out <file.1> --summary <text> [--synopsis <line>]... [--description <text>]... [--see-also <page>]...',
  );
  process.exit(2);
}

// The program is run through node, by the name it is installed as (its commands are shown under that name).
const run = (args) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const definitions = JSON.parse(run(['--clipanion=definitions']));
// `git-remote-s3/0.2.0 (TypeScript; node v20.19.0)` → `git-remote-s3 0.2.0`: the page does not depend on the build's node.
const version = run(['--version']).trim().split(' (')[0].replace('/', ' ');

const text = renderManPage({
  page,
  summary,
  version,
  description: values.description,
  synopsis: values.synopsis,
  seeAlso: values['see-also'],
  definitions,
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, text);
