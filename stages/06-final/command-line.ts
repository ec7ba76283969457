// Stage 6: the command line both programs read, written once. Read guide/06-final.md.
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
  // TODO(stage 6): parse argv with parseArgs (host, port: strings; help: boolean) and turn its
  // error into a UsageError ending with usage(program). Guide § Reading the command line.
  return { help: false, flags: {} };
}
