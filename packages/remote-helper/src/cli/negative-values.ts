// clipanion reads every word that starts with `-` as an option, so `--lock-ttl -5` fails as "not enough
// arguments to option --lock-ttl" instead of reaching the option's own rule. A negative number right after a
// long option is that option's value: it is joined to it (`--lock-ttl=-5`), and the command then says why the
// value is wrong. No command takes a negative number as a positional argument.

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
const LONG_OPTION_WITHOUT_VALUE = /^--[a-z][a-z0-9-]*$/i;

export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (arg === '--') return [...out, ...args.slice(i)];
    if (LONG_OPTION_WITHOUT_VALUE.test(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}
