// Bundles a submission's final programs to plain JavaScript once, before its tests run. The
// stage-6 suite starts the server and client many times; `node x.mjs` starts in a tenth of the
// time `node --import tsx x.ts` takes, and the grader runs a whole class. When bundling fails
// (a syntax error, a missing file), nothing is returned and the suite runs the .ts files with
// tsx, so the student sees the same error message as in `make stage-6`.
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface FinalCommands {
  SERVER_CMD?: string;
  CLIENT_CMD?: string;
}

const quote = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

export function compileFinal(stagesDir: string, outDir: string): FinalCommands {
  const commands: FinalCommands = {};
  mkdirSync(outDir, { recursive: true });
  for (const kind of ['server', 'client'] as const) {
    const entry = join(stagesDir, '06-final', `${kind}.ts`);
    if (!existsSync(entry)) continue;
    const outfile = join(outDir, `${kind}.mjs`);
    try {
      buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });
    } catch {
      continue;
    }
    commands[kind === 'server' ? 'SERVER_CMD' : 'CLIENT_CMD'] = `${quote(process.execPath)} ${quote(outfile)}`;
  }
  return commands;
}
