import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Prints the problem and the usage on stderr and exits 2, the exit code of every usage error. */
export function usageError(usage: string, problem: string): never {
  process.stderr.write(`${problem}\n${usage.endsWith('\n') ? usage : `${usage}\n`}`);
  process.exit(2);
}

/**
 * The command line of one of our scripts: `--help` prints `usage` on stdout and exits 0; an unknown
 * option, a missing value or a stray argument prints the problem and the usage and exits 2.
 */
export function parseCommandLine<const O extends Options>(
  usage: string,
  options: O,
  config: { positionals?: boolean; args?: string[] } = {},
) {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: O & { help: { type: 'boolean' } };
      allowPositionals: boolean;
      args: string[];
    }>
  >;
  try {
    parsed = parseArgs({
      args: config.args ?? process.argv.slice(2),
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean' } },
      allowPositionals: config.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    return usageError(usage, (error as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
  return parsed;
}
