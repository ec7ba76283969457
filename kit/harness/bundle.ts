// esbuild plugins shared by everything that bundles a submission's code (the grader's programs,
// stages 1-5's drivers): the bundler runs on the trusted side, where the whole disk is readable.
import type { Plugin } from 'esbuild';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kitRoot } from '../stages.ts';

const inside = (dir: string, file: string): boolean => file === dir || file.startsWith(dir + sep);

/** Marks the resolve calls the plugin makes itself, so it does not judge them a second time. */
const OWN_CALL = Symbol('classchat-own-resolve');

/**
 * Code in the submission (`stagesDir`) may import only the submission's own files, packages and
 * node: builtins: a student module importing the kit's solutions/ by its absolute path fails to
 * bundle, and then fails the same way inside the sandbox, which cannot see them. What counts is
 * where an import ends up once esbuild has resolved it, not how it is written: `./sol` is inside,
 * but a `package.json` there whose "main" leads out of the submission is not. Bundle with
 * `tsconfigRaw: kitTsconfig()` too, so that no tsconfig.json of the submission is read.
 */
export const submissionOnly = (stagesDir: string): Plugin => ({
  name: 'classchat-only-the-submission',
  setup(b) {
    // The folder as named and as it really is: esbuild may report either.
    const dirs = [resolve(stagesDir), realpathSync(resolve(stagesDir))];
    const inSubmission = (file: string): boolean => dirs.some((dir) => inside(dir, file));
    b.onResolve({ filter: /.*/ }, async (args) => {
      if ((args.pluginData as Record<symbol, boolean> | undefined)?.[OWN_CALL]) return undefined;
      if (args.kind === 'entry-point' || !inSubmission(args.importer)) return undefined; // chosen by the kit, or the kit's own files
      // A package, a node: builtin or a #subpath: Node resolves it when the code runs, inside the
      // sandbox. Left to esbuild, a tsconfig `paths` entry or a package.json `imports` map in the
      // submission could point it at any file on the disk.
      if (!args.path.startsWith('.') && !isAbsolute(args.path)) return { path: args.path, external: true };
      const found = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { [OWN_CALL]: true } });
      if (found.errors.length > 0) return { errors: found.errors };
      if (found.external || inSubmission(realOrSelf(found.path))) return found;
      return { errors: [{ text: `${args.path} leads outside the submission (to ${found.path})` }] };
    });
  },
});

/** A path with its links resolved, so a link cannot make an outside file look inside. */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The kit's own TypeScript settings (what tsx uses for `make stage-N`), as esbuild's tsconfigRaw. */
export const kitTsconfig = (): string => readFileSync(join(kitRoot(), 'tsconfig.json'), 'utf8');

/**
 * The kit's modules find their folder through import.meta.url (kitRoot()). Bundled, that would be
 * the bundle's place: outside the submission (if any), each kit file keeps its own URL.
 */
export const kitFilesInPlace = (stagesDir?: string): Plugin => ({
  name: 'classchat-kit-files-in-place',
  setup(b) {
    const dir = stagesDir === undefined ? undefined : resolve(stagesDir);
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (dir !== undefined && inside(dir, args.path)) return undefined;
      const source = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: source, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
});
