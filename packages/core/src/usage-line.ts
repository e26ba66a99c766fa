// Usage lines in git's style for the clipanion commands of both CLIs: an option's value is named
// (`--lock-ttl <seconds>`, never clipanion's `#0`) and a required option follows the arguments
// (`migrate <remote> --to <layout>`). Help, usage errors and the man pages all read the command's one usage.
// Structural types only: core never imports clipanion; the commands hand their options in (`named`).

/** An option as clipanion's command builder records it. */
interface OptionDefinition {
  readonly names: readonly string[];
  readonly arity: number;
  readonly hidden: boolean;
  readonly required: boolean;
  readonly description?: string;
}

interface UsageOptions {
  detailed?: boolean;
  inlineOptions?: boolean;
}

interface Usage {
  usage: string;
  options: { definition: string; description: string; required: boolean }[];
}

/** clipanion's CommandBuilder: what a command's usage line is made of. */
interface UsageBuilder {
  readonly cliOpts: { readonly binaryName: string };
  readonly paths: readonly (readonly string[])[];
  readonly options: readonly OptionDefinition[];
  readonly arity: { readonly leading: readonly string[]; readonly extra: unknown; readonly trailing: readonly string[] };
  usage(options?: UsageOptions): Usage;
}

/** clipanion's option descriptor (what `Option.String(…)` really returns). */
interface OptionDescriptor {
  definition(builder: UsageBuilder, key: string): void;
}

interface ValueName {
  readonly value: string;
  readonly shownRequired: boolean;
}

const valueNames = new WeakMap<OptionDefinition, ValueName>();
const gitStyle = new WeakSet<UsageBuilder>();

/**
 * Names the value of `option` in usage lines (`named('seconds', Option.String('--lock-ttl'))` reads
 * `--lock-ttl <seconds>`). `shownRequired` shows it after the arguments, without brackets, for an option the
 * command itself insists on (clipanion reports a missing required option as an unknown command).
 */
export function named<T>(value: string, option: T, { shownRequired = false } = {}): T {
  const descriptor = option as unknown as OptionDescriptor;
  const define = descriptor.definition.bind(descriptor);
  descriptor.definition = (builder, key) => {
    const before = builder.options.length;
    define(builder, key);
    for (const added of builder.options.slice(before)) valueNames.set(added, { value, shownRequired });
    useGitStyle(builder);
  };
  return option;
}

function useGitStyle(builder: UsageBuilder): void {
  if (gitStyle.has(builder)) return;
  gitStyle.add(builder);
  builder.usage = (options) => gitStyleUsage(builder, options);
}

/** The option as written in usage lines and option lists: `-n,--dry-run`, `--grace <duration>`. */
export function optionDefinition(option: OptionDefinition, value = valueNames.get(option)?.value ?? 'value'): string {
  return `${option.names.join(',')}${` <${value}>`.repeat(option.arity)}`;
}

/** clipanion's CommandBuilder.usage, with named values, `[<optional>]` arguments and required options last. */
export function gitStyleUsage(builder: UsageBuilder, { detailed = true, inlineOptions = true }: UsageOptions = {}): Usage {
  const segments = [builder.cliOpts.binaryName, ...(builder.paths[0] ?? [])];
  const listed: Usage['options'] = [];
  if (!detailed) return { usage: segments.join(' '), options: listed };
  const required: string[] = [];
  for (const option of builder.options) {
    if (option.hidden) continue;
    const definition = optionDefinition(option);
    const isRequired = option.required || valueNames.get(option)?.shownRequired === true;
    if (!inlineOptions && option.description) listed.push({ definition, description: option.description, required: isRequired });
    if (isRequired) required.push(definition);
    else if (inlineOptions || !option.description) segments.push(`[${definition}]`);
  }
  const { leading, extra, trailing } = builder.arity;
  segments.push(...leading.map((name) => `<${name}>`));
  segments.push(...(Array.isArray(extra) ? extra.map((name: string) => `[<${name}>]`) : ['[<arg>...]']));
  segments.push(...trailing.map((name) => `<${name}>`), ...required);
  return { usage: segments.join(' '), options: listed };
}
