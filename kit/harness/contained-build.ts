// One esbuild bundling of a submission's code, for both callers (the grader's programs, stages
// 1-5's drivers). esbuild reads the student's source on the trusted side, and hostile source can
// make it use gigabytes, write a bundle of hundreds of megabytes or crash it (a Go stack overflow
// takes its service down). So under the grader (a sandbox spec is set) esbuild itself runs inside
// the submission's cgroups, may write no file over OUTPUT_LIMIT_BYTES, and a crash or a file too
// large fails that build only, like any build that fails:
// - a suite's worker (the drivers, and the programs: grader/compile.ts) gets an esbuild service
//   that is contained from its start: the grader points ESBUILD_BINARY_PATH at a wrapper
//   (containedServiceEnv) that joins the cgroups and caps file sizes before it becomes esbuild,
//   and the worker bundles in process;
// - any other process with a sandbox spec, whose service is not contained, bundles in one child
//   process of its own (contained-build-child.ts) under the same wrapper, with a time limit that
//   stretches with the load, its stderr kept, not shown.
// Without a spec (`make stage-N`) it runs in this process, on esbuild's shared service, as before.
import { build, stop, type BuildOptions } from 'esbuild';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxSpec, type SandboxSpec } from '../grader/sandbox.ts';
import { kitRoot } from '../stages.ts';
import { kitFilesInPlace, kitTsconfig, submissionOnly } from './bundle.ts';
import { patient } from './patience.ts';
import { shortPath } from './target.ts';

/** No file a contained build writes may be larger (an honest bundle is well under 1 MB). */
export const OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;
/** How long a contained build may take on an idle machine (an honest one takes well under a second). */
export const BUILD_LIMIT_MS = 30_000;
const TOO_LARGE = `ERROR: the bundle would be larger than ${OUTPUT_LIMIT_BYTES / 2 ** 20} MB`;
const CHILD = fileURLToPath(new URL('./contained-build-child.ts', import.meta.url));
const PRLIMIT = '/usr/bin/prlimit';
/** Of the child's stdout (its one result line) and stderr (esbuild's crash report), only this much is kept. */
const KEPT_BYTES = 64 * 1024;

/** What to bundle; plain data, so that it can be handed to the child process. */
export interface BuildRequest {
  entryPoints: Record<string, string>;
  /** The submission's folder: its code may import only its own files (submissionOnly). */
  submission: string;
  /** One file (a program), or a folder of `.mjs` chunks with source maps (a driver and the student's modules); neither: only checked. */
  outfile?: string;
  outdir?: string;
  /** Bundles the kit's own files too, each keeping its place (the drivers: kitFilesInPlace). */
  kitFiles?: boolean;
  /** The folder esbuild resolves and reports paths from (the caller's working folder). */
  workingDir?: string;
}

/** Undefined when it bundled; else why not, in one line (`path:line:column: ERROR: text`). */
export type BuildError = string | undefined;

/** The wrapper esbuild's JS API starts instead of its binary (ESBUILD_BINARY_PATH). */
const WRAPPER = 'esbuild-contained';
/** Set for the suites' workers: their esbuild service is the contained one. */
const serviceContained = (): boolean => basename(process.env.ESBUILD_BINARY_PATH ?? '') === WRAPPER;

/**
 * Writes, in `dir`, the wrapper that runs esbuild contained in the run's cgroups with its file
 * size cap, and returns the environment that makes esbuild's JS API start it (read once, when a
 * process first imports esbuild: give it to the suites' workers).
 */
export function containedServiceEnv(spec: SandboxSpec, dir: string): NodeJS.ProcessEnv {
  const binary = createRequire(import.meta.url).resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
  const path = join(dir, WRAPPER);
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const enter = spec.cgroups.map((cg) => `echo $$ > ${quote(join(cg, 'cgroup.procs'))} || exit 125\n`).join('');
  writeFileSync(path, `#!/bin/sh\n${enter}exec ${PRLIMIT} --fsize=${OUTPUT_LIMIT_BYTES} -- ${quote(binary)} "$@"\n`);
  chmodSync(path, 0o755);
  return { ESBUILD_BINARY_PATH: path };
}

/**
 * Bundles `request`: without a sandbox spec in `env`, here; in a suite's worker whose service is
 * contained, here too; otherwise (the grader) in a contained child process.
 */
export async function bundle(request: BuildRequest, env: NodeJS.ProcessEnv = process.env): Promise<BuildError> {
  const spec = sandboxSpec(env);
  if (!spec) return bundleHere(request);
  if (serviceContained()) return bundleHere(request, true);
  return (await bundleAll([request], env))[0];
}

/** Bundles each of `requests` (a submission's programs): on a contained service, or in one contained child. */
export async function bundleAll(requests: BuildRequest[], env: NodeJS.ProcessEnv): Promise<BuildError[]> {
  const spec = sandboxSpec(env);
  if (!spec || requests.length === 0) return Promise.all(requests.map((r) => bundleHere(r)));
  if (serviceContained()) return Promise.all(requests.map((r) => bundleHere(r, true)));
  return bundleContained(requests.map((r) => ({ workingDir: process.cwd(), ...r })), spec);
}

/**
 * The build itself, in this process (the child process calls it too). `contained`: esbuild's
 * service is the wrapper, so a check writes its output too (to a scratch folder), where the size
 * cap sees it, never into this process's memory; and a service that died (a crash, killed at the
 * memory limit) is stopped, so that the next build starts a new one.
 */
export async function bundleHere(request: BuildRequest, contained = false): Promise<BuildError> {
  const scratch = contained && !request.outfile && !request.outdir ? mkdtempSync(join(tmpdir(), 'classchat-check-')) : undefined;
  const output: BuildOptions = request.outfile
    ? { outfile: request.outfile }
    : request.outdir ?? scratch
      ? { outdir: request.outdir ?? scratch, splitting: true, outExtension: { '.js': '.mjs' }, sourcemap: 'linked' }
      : { write: false };
  const plugins = [submissionOnly(request.submission), ...(request.kitFiles ? [kitFilesInPlace(request.submission)] : [])];
  try {
    const result = await build({
      entryPoints: request.entryPoints, ...output, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external',
      logLevel: 'silent', tsconfigRaw: kitTsconfig(), plugins, ...(request.workingDir ? { absWorkingDir: request.workingDir } : {}),
    });
    // A check written nowhere escapes the file size cap: the same limit, counted here.
    return result.outputFiles?.some((file) => file.contents.length > OUTPUT_LIMIT_BYTES) ? TOO_LARGE : undefined;
  } catch (err) {
    const error = firstError(err, request.workingDir);
    if (!contained) return error;
    removeOutput(request);
    if (/: file too large$/.test(error)) return TOO_LARGE;
    if (!SERVICE_GONE.test(error)) return error;
    await stop();
    return CRASHED;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

const SERVICE_GONE = /service (was stopped|is no longer running)/;
const CRASHED = 'ERROR: the bundler crashed or ran out of memory on it';

/** esbuild's first error as tsx shows it: `path:line:column: ERROR: text`. */
function firstError(err: unknown, workingDir = process.cwd()): string {
  const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors?.[0];
  if (!first) return err instanceof Error ? err.message.split('\n')[0] : String(err);
  const at = first.location ? `${shortPath(resolve(workingDir, first.location.file))}:${first.location.line}:${first.location.column}: ` : '';
  return `${at}ERROR: ${first.text}`;
}

/**
 * The child's command: a shell that moves itself into the run's cgroups (as root: the trusted
 * side may) and becomes prlimit, which caps the size of any file written and becomes Node. So
 * Node, and the esbuild binary it starts, are in the cgroups from their first instruction.
 */
function childCommand(spec: SandboxSpec, code: string, requests: BuildRequest[]): string[] {
  const enter = spec.cgroups.map((cg, i) => `echo $$ > "$${i + 1}/cgroup.procs" || exit 125`).join('\n');
  return ['-c', `${enter}\nshift ${spec.cgroups.length}\nexec "$@"`, 'contained-build', ...spec.cgroups,
    PRLIMIT, `--fsize=${OUTPUT_LIMIT_BYTES}`, '--', process.execPath, '--input-type=module', '-e', code, '--', JSON.stringify(requests)];
}

let childCode: Promise<string> | undefined;
/**
 * The child's program as plain JavaScript, bundled once per process from the kit's own files (no
 * student code): it starts in a fifth of the time `node --import tsx` takes. Run with the kit as
 * its working folder, where it finds esbuild.
 */
const childProgram = (): Promise<string> =>
  (childCode ??= build({
    entryPoints: [CHILD], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', packages: 'external',
    logLevel: 'silent', tsconfigRaw: kitTsconfig(), plugins: [kitFilesInPlace()],
  }).then((result) => result.outputFiles[0].text));

async function bundleContained(requests: BuildRequest[], spec: SandboxSpec): Promise<BuildError[]> {
  const child = spawn('/bin/sh', childCommand(spec, await childProgram(), requests), { cwd: kitRoot(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = keep(child.stdout);
  const stderr = keep(child.stderr);
  const limit = patient(BUILD_LIMIT_MS * requests.length);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, limit);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  killGroup(child.pid); // esbuild's service, should it outlive the child
  const errors = timedOut ? requests.map(() => `bundling it took longer than ${Math.round(limit / 1000)} s`) : resultsOf(requests.length, stdout(), stderr(), code, signal);
  requests.forEach((request, i) => {
    if (errors[i] !== undefined) removeOutput(request);
  });
  return errors;
}

/**
 * The child's answers: its one JSON line, an error (or null) per request, each as bundleHere
 * gave it, or, for all, why there is none (a crash of the child itself).
 */
function resultsOf(count: number, stdout: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): BuildError[] {
  let answer: unknown;
  try {
    answer = code === 0 ? JSON.parse(stdout) : undefined;
  } catch {
    // no answer
  }
  // What the bundler said as it died, if anything, not its stack.
  const said = stderr.split('\n').find((line) => /^(fatal error|runtime:|panic)/.test(line));
  const crashed = `${CRASHED}${said ? ` (${said.trim()})` : ''}`;
  if (Array.isArray(answer) && answer.length === count) return answer.map((e) => (e === CRASHED ? crashed : typeof e === 'string' ? e : undefined));
  return Array<BuildError>(count).fill(signal === 'SIGXFSZ' ? TOO_LARGE : crashed);
}

/** Collects a stream, keeping its first KEPT_BYTES. */
function keep(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size < KEPT_BYTES) chunks.push(chunk.subarray(0, KEPT_BYTES - size));
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** A failed build leaves nothing behind (a bundle cut off at the size cap, say); its folder stays. */
function removeOutput({ outfile, outdir }: BuildRequest): void {
  if (outfile) rmSync(outfile, { force: true });
  if (outdir) for (const name of readdirSync(outdir)) rmSync(resolve(outdir, name), { recursive: true, force: true });
}
