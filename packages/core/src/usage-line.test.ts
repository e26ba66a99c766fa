import { describe, expect, it } from 'vitest';
import { gitStyleUsage, named } from './usage-line.js';

/** A stand-in for clipanion's CommandBuilder and Option.String descriptors: only what usage lines read. */
function builder() {
  const options: { names: string[]; arity: number; hidden: boolean; required: boolean; description?: string }[] = [];
  return {
    cliOpts: { binaryName: 'git s3' },
    paths: [['migrate']],
    options,
    arity: { leading: ['remote'], extra: ['branch'] as unknown, trailing: [] as string[] },
    usage: (_options?: { inlineOptions?: boolean }) => ({
      usage: 'git s3 migrate [--to #0] <remote> [branch]',
      options: [] as { definition: string; description: string; required: boolean }[],
    }),
  };
}
const option = (names: string[], description: string, arity = 1) => ({
  definition(b: ReturnType<typeof builder>) {
    b.options.push({ names, arity, hidden: false, required: false, description });
  },
});

describe('named', () => {
  it("replaces clipanion's #0 by the value's name, puts an option shown as required after the arguments", () => {
    const b = builder();
    named('layout', option(['--to'], 'the layout'), { shownRequired: true }).definition(b);
    named('seconds', option(['--lock-ttl'], 'seconds')).definition(b);
    option(['-n,--dry-run'], 'nothing', 0).definition(b);
    expect(b.usage().usage).toBe('git s3 migrate [--lock-ttl <seconds>] [-n,--dry-run] <remote> [<branch>] --to <layout>');
  });

  it('lists described options apart for the detailed help, keeping required ones in the usage line', () => {
    const b = builder();
    named('layout', option(['--to'], 'the layout'), { shownRequired: true }).definition(b);
    named('seconds', option(['--lock-ttl'], 'seconds')).definition(b);
    expect(b.usage({ inlineOptions: false })).toEqual({
      usage: 'git s3 migrate <remote> [<branch>] --to <layout>',
      options: [
        { definition: '--to <layout>', description: 'the layout', required: true },
        { definition: '--lock-ttl <seconds>', description: 'seconds', required: false },
      ],
    });
  });

  it('gives an option nobody named a generic <value>, never a number', () => {
    const b = builder();
    named('seconds', option(['--lock-ttl'], 'seconds')).definition(b);
    option(['--other'], 'unnamed').definition(b);
    expect(gitStyleUsage(b).usage).toContain('[--other <value>]');
  });

  it('shows only the command for the short usage, and an unlimited list as [<arg>...]', () => {
    const b = { ...builder(), arity: { leading: [], extra: { unlimited: true }, trailing: [] } };
    expect(gitStyleUsage(b, { detailed: false }).usage).toBe('git s3 migrate');
    expect(gitStyleUsage(b).usage).toBe('git s3 migrate [<arg>...]');
  });
});
