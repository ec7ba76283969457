// Stages 1-5's drivers start from plain JavaScript: the driver and the student's modules are
// bundled by esbuild (what tsx itself transforms with) just before the driver starts, because
// `node driver.mjs` starts in a fraction of the time `node --import tsx driver.ts` takes, and a
// student runs `make stage-N` after every save. The student's modules stay entries of their own
// (loaded by the driver when a test first needs them, as before); code they share sits in one chunk,
// so a module is still loaded once. When bundling fails (a syntax error, a missing file, an import
// from outside the submission), nothing is returned and the driver runs with tsx, so the student
// sees the same message as before.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kitFilesInPlace, kitTsconfig, submissionOnly } from './bundle.ts';
import { MODULES_VAR, targetDir } from './target.ts';
import { kitRoot, STAGES, stageId } from '../stages.ts';

/** Where the bundles go: the grader names a folder its sandboxes can read; else the kit's own. */
export const BUILD_DIR_VAR = 'CLASSCHAT_BUILD_DIR';
const PREFIX = 'driver-';

export interface BuiltDriver {
  /** What to run instead of `node --import tsx <driver.ts>`, and the variables it needs. */
  args: string[];
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** Bundles `driverFile` with the files stage `stageFolder` names in the manifest; undefined when that fails. */
export async function buildDriver(driverFile: string, stageFolder: string, env: NodeJS.ProcessEnv = process.env): Promise<BuiltDriver | undefined> {
  const stage = STAGES.find((s) => stageId(s) === stageFolder);
  if (!stage) return undefined;
  const files = stage.files.map((f) => join(targetDir(env), stageFolder, f));
  if (!files.every((path) => existsSync(path))) return undefined;
  const root = env[BUILD_DIR_VAR] || join(kitRoot(), '.classchat', 'build');
  mkdirSync(root, { recursive: true });
  removeDeadBuilds(root);
  const outdir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  // The grader's sandboxed driver runs as another user: it must be able to read the bundle.
  chmodSync(outdir, 0o755);
  const remove = (): void => rmSync(outdir, { recursive: true, force: true });
  const entryPoints: Record<string, string> = { driver: driverFile };
  files.forEach((path, i) => { entryPoints[`student-${i}`] = path; });
  try {
    await build({
      entryPoints, outdir, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
      outExtension: { '.js': '.mjs' }, packages: 'external', sourcemap: 'linked', logLevel: 'silent',
      tsconfigRaw: kitTsconfig(), plugins: [submissionOnly(targetDir(env)), kitFilesInPlace(targetDir(env))],
    });
  } catch {
    remove();
    return undefined;
  }
  const modules = Object.fromEntries(files.map((path, i) => [path, join(outdir, `student-${i}.mjs`)]));
  return {
    args: ['--enable-source-maps', join(outdir, 'driver.mjs')],
    env: { [MODULES_VAR]: JSON.stringify(modules) },
    remove,
  };
}

/** Bundles of a process that is gone (killed before it could remove them). */
function removeDeadBuilds(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
