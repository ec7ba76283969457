// Stage 6: the command line both programs read, written once. See guide/06-final.md.
import { parseArgs } from 'node:util';
import type { EndpointFlags } from '../01-socket/endpoint.ts';
import { usage, UsageError } from '../05-exit/usage.ts';

/** What the command line asks for: the help text, or a program on these flags. */
export interface CommandLine {
  help: boolean;
  flags: EndpointFlags;
}

/** Reads --host, --port and --help for `program`; anything else throws a UsageError (exit code 2). */
export function readCommandLine(program: string, argv: string[]): CommandLine {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    return { help: values.help ?? false, flags: { host: values.host, port: values.port } };
  } catch (err) {
    // parseArgs names the problem ("Unknown option '--bogus'"); add how to call the program.
    throw new UsageError(`${(err as Error).message}. ${usage(program)}`);
  }
}
