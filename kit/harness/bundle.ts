// esbuild plugins shared by everything that bundles a submission's code (the grader's programs,
// stages 1-5's drivers): the bundler runs on the trusted side, where the whole disk is readable.
import type { Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kitRoot } from '../stages.ts';

const inside = (dir: string, file: string): boolean => file === dir || file.startsWith(dir + sep);

/**
 * Code in the submission (`stagesDir`) may import only the submission's own files, packages and
 * node: builtins: a student module importing the kit's solutions/ by its absolute path fails to
 * bundle, and then fails the same way inside the sandbox, which cannot see them. Bundle with
 * `tsconfigRaw: kitTsconfig()` too, so that no tsconfig.json of the submission is read.
 */
export const submissionOnly = (stagesDir: string): Plugin => ({
  name: 'classchat-only-the-submission',
  setup(b) {
    const dir = resolve(stagesDir);
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || !inside(dir, args.importer)) return undefined; // chosen by the kit, or the kit's own files
      // A package, a node: builtin or a #subpath: Node resolves it when the code runs, inside the
      // sandbox. Left to esbuild, a tsconfig `paths` entry or a package.json `imports` map in the
      // submission could point it at any file on the disk.
      if (!args.path.startsWith('.') && !isAbsolute(args.path)) return { path: args.path, external: true };
      const file = resolve(args.resolveDir, args.path);
      if (inside(dir, file)) return undefined;
      return { errors: [{ text: `${args.path} is outside the submission` }] };
    });
  },
});

/** The kit's own TypeScript settings (what tsx uses for `make stage-N`), as esbuild's tsconfigRaw. */
export const kitTsconfig = (): string => readFileSync(join(kitRoot(), 'tsconfig.json'), 'utf8');

/**
 * The kit's modules find their folder through import.meta.url (kitRoot()). Bundled, that would be
 * the bundle's place: outside the submission, each kit file keeps its own URL.
 */
export const kitFilesInPlace = (stagesDir: string): Plugin => ({
  name: 'classchat-kit-files-in-place',
  setup(b) {
    const dir = resolve(stagesDir);
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (inside(dir, args.path)) return undefined;
      const source = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: source, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
});
