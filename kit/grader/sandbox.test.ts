// The grader's sandbox against the hostile submissions of kit/grader/fixtures/attacks/: each
// attacker scores exactly what its honest code earns, every honest classmate keeps full points,
// and afterwards nothing is left running and neither the kit nor the exports have changed.
// Stages 1 (the student's module in a driver process) and 6 (programs) are
// graded: together they cover both ways student code runs. An attack on a later stage's check is
// graded on that stage too, beside an honest classmate (LATER).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TEST_LIMIT_MS } from '../harness/patience.ts';
import { ownRunPrefix, RUN_ID_VAR } from '../run/sweep.ts';
import { shippedStarters } from '../starters.ts';
import { kitRoot, parseStageList, STAGES, stageId } from '../stages.ts';
import { gradeBook, writeExports } from './exports.ts';
import { gradeAll, UNSANDBOXED_NOTE, type StudentGrade } from './grade.ts';
import { Program } from '../harness/program.ts';
import { Transcript } from '../harness/transcript.ts';
import { CPU_SHARES, MEMORY_LIMIT_BYTES, openRunSandbox, runnableTasks, SHM_LIMIT_BYTES, TMP_LIMIT_BYTES, PROCESS_LIMIT, SANDBOX_UID, SANDBOX_VAR, sandboxUnavailable, type RunSandbox } from './sandbox.ts';

const ROOT = kitRoot();
const ATTACKS = join(ROOT, 'kit', 'grader', 'fixtures', 'attacks');
const GRADED = parseStageList('1,6');
const unavailable = sandboxUnavailable();

/** Points per graded stage; stages not listed get full points. */
const EXPECTED: Record<string, Record<number, number>> = {
  correct: {},
  'correct-2': {},
  // Honest code: the starter. Stage 6's programs import stage 1, so they fail too.
  'forge-channel': { 1: 0, 6: 0 },
  'forge-suite': { 1: 0, 6: 0 },
  // Its module runs in stage 1's driver process, where there is no test worker channel to wrap.
  'forge-ipc': { 1: 0, 6: 0 },
  // Rewrites every reply of stage 1's driver, in the driver's own process: the sockets are judged on
  // the wire and the endpoints come from the seed, so the starter's 0 stands.
  'forge-driver': { 1: 0, 6: 0 },
  'read-proc': {},
  'ask-the-runner': {},
  // Its server is only an import of the kit's reference server: no server of its own, so only the
  // two client tests that need no real server pass (as for exits-at-once in grade.test.ts).
  'bundle-solutions': { 6: 1 },
  // Its stage 1 is an alias its own tsconfig.json maps to the kit's reference: a module that cannot
  // load, and stage 6's programs import it.
  'resolve-solutions': { 1: 0, 6: 0 },
  // Two leaks only /proc readings of the program itself can see: they cost their two tests here as
  // with make stage-6 (the readings reach the program, not bubblewrap in front of it).
  'hidden-leak': { 6: 4 },
  // hidden-leak's server run by a wrapper process, and hidden-leak's server with a balloon (peak
  // memory raised and freed at start) and spare fds closed as sockets leak: the checks read every
  // process of the server, each peak reset when the flood begins, and count sockets opened since.
  'wrap-leak': { 6: 4 },
  'ballast-leak': { 6: 4 },
  // A stage 7 attack (graded below): its stages 1 and 6 are the reference's.
  'poll-wrapped': {},
  // Its stage files import folders whose package.json "main" leads to the kit's solutions.
  'package-main': { 1: 0, 6: 0 },
  'write-classmate': {},
  'edit-kit': {},
  survivor: {},
  bomb: {},
  // Stage 1 exports a const enum's string inlined 80 times: every bundle holding it would pass the
  // bundlers' size cap. Its module is reported as one that does not bundle (stage 1, as for a
  // syntax error); stage 6's programs, unbundled, run with tsx, where it is harmless.
  'bundle-bomb': { 1: 0 },
  outbound: {},
  // Refused: a class entry linking to a classmate, an archive whose stages/ links to the
  // solutions, and a copy of the solutions whose stage 1 file links back to the kit's.
  'link-classmate': { 1: 0, 6: 0 },
  'link-solutions': { 1: 0, 6: 0 },
  'link-files': { 1: 0, 6: 0 },
};

/** Attacks on a later stage's checks, graded on that stage beside an honest classmate. */
const LATER: Record<string, Record<number, number>> = {
  correct: {},
  // Honest code: the reference client with a setImmediate loop; it never sleeps (the idle test, 4)
  // and never exits by itself (the four exit tests, 6). The loop runs in a child in a new session.
  'poll-wrapped': { 7: 10 },
};
const LATER_GRADED = parseStageList('7');

const pointsOf = (student: string, stage: number, expected = EXPECTED): number => expected[student][stage] ?? STAGES.find((s) => s.number === stage)!.points;

/** A content hash of every file under `dir` (node_modules: only the top-level package files). */
function treeHash(dir: string, skip: (rel: string) => boolean = () => false): string {
  const hash = createHash('sha256');
  for (const rel of (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).sort()) {
    if (skip(rel)) continue;
    const path = join(dir, rel);
    try {
      hash.update(rel).update(readFileSync(path));
    } catch {
      hash.update(`${rel}/`); // a folder
    }
  }
  return hash.digest('hex');
}

// Left out: the bundles a stage 1-5 run of the kit's own (another test file, the mutation table)
// makes in .classchat/build and removes a second later.
const kitHash = (): string =>
  treeHash(ROOT, (rel) => rel.startsWith('node_modules') || rel.startsWith('.git') || rel.startsWith('dist') || rel.startsWith(join('.classchat', 'build', 'driver-'))) +
  createHash('sha256').update(readFileSync(join(ROOT, 'node_modules', 'vitest', 'package.json'))).digest('hex');

// The machine may be shared: only processes in this test's own memory cgroup (or beneath it) count.
const memoryCgroup = (pid: number | string): string => /^\d+:memory:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
const OURS = memoryCgroup(process.pid);

function livePids(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)) {
    try {
      if (/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      if (!memoryCgroup(entry).startsWith(OURS)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (cmd.includes(text) || env.includes(text)) pids.push(Number(entry));
    } catch {
      // exited
    }
  }
  return pids;
}

/** A copy of the solutions with the attack laid over it; replaced X.ts kept as X-real.ts, the starter as X-starter.ts. */
function assemble(name: string, into: string, starters: string, fill: Record<string, string>): void {
  const fixture = join(ATTACKS, name);
  // A fixture whose file BASE names another is laid over that one (the same leaks, hidden anew).
  if (existsSync(join(fixture, 'BASE'))) assemble(readFileSync(join(fixture, 'BASE'), 'utf8').trim(), into, starters, fill);
  else cpSync(join(ROOT, 'solutions'), into, { recursive: true });
  for (const file of readdirSync(fixture, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|json)$/.test(f))) {
    const to = join(into, file);
    if (file.endsWith('.ts') && existsSync(to)) cpSync(to, to.replace(/\.ts$/, '-real.ts'));
    if (file.endsWith('.ts') && existsSync(join(starters, file))) cpSync(join(starters, file), to.replace(/\.ts$/, '-starter.ts'));
    let text = readFileSync(join(fixture, file), 'utf8');
    for (const [key, value] of Object.entries(fill)) text = text.replaceAll(key, value);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
  }
}

describe.skipIf(unavailable !== undefined)('the sandbox against hostile submissions', () => {
  let dir: string;
  let out: string;
  let grades: StudentGrade[];
  let listener: Server;
  let connections = 0;
  let kitBefore: string;
  let classBefore: string;
  const byName = (name: string): StudentGrade => grades.find((g) => g.student === name)!;

  beforeAll(async () => {
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    dir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    out = mkdtempSync(join(tmpdir(), 'classchat-out-'));
    const fill = { __LISTENER_PORT__: String((listener.address() as AddressInfo).port), __OUTPUT_DIR__: out, __KIT_ROOT__: ROOT.replace(/\/$/, '') };
    const starters = shippedStarters();
    cpSync(join(ROOT, 'solutions'), join(dir, 'correct'), { recursive: true });
    cpSync(join(ROOT, 'solutions'), join(dir, 'correct-2'), { recursive: true });
    for (const name of readdirSync(ATTACKS)) assemble(name, join(dir, name), starters.dir, fill);
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
    symlinkSync(join(dir, 'correct'), join(dir, 'link-classmate'));
    const archived = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    symlinkSync(join(ROOT, 'solutions'), join(archived, 'stages'));
    execFileSync('tar', ['-czf', join(dir, 'link-solutions.tar.gz'), '-C', archived, 'stages']);
    rmSync(archived, { recursive: true, force: true });
    const files = join(dir, 'link-files');
    cpSync(join(ROOT, 'solutions'), files, { recursive: true });
    unlinkSync(join(files, '01-socket', 'endpoint.ts'));
    symlinkSync(join(ROOT, 'solutions', '01-socket', 'endpoint.ts'), join(files, '01-socket', 'endpoint.ts'));
    // A hard link to a file outside the submission (the output folder is on the same file system).
    unlinkSync(join(files, '02-listen', 'listen.ts'));
    cpSync(join(ROOT, 'solutions', '02-listen', 'listen.ts'), join(out, 'outside.ts'));
    linkSync(join(out, 'outside.ts'), join(files, '02-listen', 'listen.ts'));
    unlinkSync(join(files, '03-accept', 'accept.ts'));
    execFileSync('mknod', [join(files, '03-accept', 'accept.ts'), 'c', '1', '3']);
    // A file name that would retitle the instructor's terminal if its note were printed raw.
    symlinkSync('/etc/passwd', join(files, '04-loop', '\u001b]0;owned\u0007.ts'));
    mkdirSync(join(out, 'feedback'));
    kitBefore = kitHash();
    classBefore = treeHash(dir);
    grades = await gradeAll({ submissions: dir, stages: GRADED, jobs: 2, limitMs: 120_000, stallMs: TEST_LIMIT_MS + 2_000 });
    writeExports(gradeBook(GRADED, grades), out);
  }, 400_000);

  afterAll(() => {
    listener?.close();
    for (const d of [dir, out]) if (d) rmSync(d, { recursive: true, force: true });
  });

  for (const student of Object.keys(EXPECTED)) {
    test(`${student} gets exactly what its honest code earns`, () => {
      const grade = byName(student);
      const got = Object.fromEntries(grade.stages.map((s) => [s.number, s.points]));
      const want = Object.fromEntries(GRADED.map((s) => [s.number, pointsOf(student, s.number)]));
      const failures = grade.tests.filter((t) => t.status !== 'passed').map((t) => `${t.name}: ${t.message.slice(-300)}`);
      expect(got, `${student}: notes ${grade.notes.join(' | ')}\nfailed:\n${failures.join('\n')}`).toEqual(want);
    });
  }

  test('links and devices are refused with a note, by their real path', () => {
    expect(byName('link-classmate').notes.join(' ')).toMatch(/is a link to .*correct, not a folder or archive of its own/);
    expect(byName('link-solutions').notes.join(' ')).toMatch(/Refused: stages is a link \(to ".*solutions"\) that leads outside the submission/);
    const notes = byName('link-files').notes.join('\n');
    expect(notes).toMatch(/Refused: 01-socket\/endpoint\.ts is a link \(to ".*solutions\/01-socket\/endpoint\.ts"\) that leads outside the submission/);
    expect(notes).toMatch(/Refused: 02-listen\/listen\.ts is a hard link to a file outside/);
    expect(notes).toMatch(/Refused: 03-accept\/accept\.ts is a device, pipe or socket/);
    expect(notes).toContain('Refused: 04-loop/\\x1b]0;owned\\x07.ts is a link (to "/etc/passwd") that leads outside the submission');
    expect(notes).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  test('the fork and memory bomb is held to the limits, and the notes say so', () => {
    const notes = byName('bomb').notes.join(' ');
    expect(notes).toContain(`more than ${PROCESS_LIMIT} processes`);
    expect(notes).toContain(`more than ${MEMORY_LIMIT_BYTES / 2 ** 30} GiB of memory`);
  });

  test('no connection from a submission reached the machine', () => {
    expect(connections).toBe(0);
  });

  test('nothing of any run is left running', () => {
    // This test's own runs only: another test file may be grading at the same time.
    expect(livePids(`${RUN_ID_VAR}=${ownRunPrefix()}`)).toEqual([]);
    expect(livePids('classchat-survivor')).toEqual([]);
    expect(livePids('classchat-bomb')).toEqual([]);
  });

  test('the kit and the class folder are unchanged', () => {
    expect(kitHash()).toBe(kitBefore);
    expect(treeHash(dir)).toBe(classBefore);
  });

  test('the exports stay as written (no survivor rewrites them)', async () => {
    const written = treeHash(out);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(treeHash(out)).toBe(written);
    expect(readFileSync(join(out, 'grades.json'), 'utf8')).not.toMatch(/forged/);
  });
});

describe.skipIf(unavailable !== undefined)('the sandbox against attacks on a later stage\'s checks', () => {
  let dir: string;
  let grades: StudentGrade[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    const starters = shippedStarters();
    for (const name of Object.keys(LATER)) {
      if (name === 'correct') cpSync(join(ROOT, 'solutions'), join(dir, name), { recursive: true });
      else assemble(name, join(dir, name), starters.dir, {});
    }
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
    grades = await gradeAll({ submissions: dir, stages: LATER_GRADED, jobs: 2, limitMs: 240_000, stallMs: TEST_LIMIT_MS + 2_000 });
  }, 400_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const student of Object.keys(LATER)) {
    test(`${student} gets exactly what its honest code earns`, () => {
      const grade = grades.find((g) => g.student === student)!;
      const got = Object.fromEntries(grade.stages.map((s) => [s.number, s.points]));
      const want = Object.fromEntries(LATER_GRADED.map((s) => [s.number, pointsOf(student, s.number, LATER)]));
      const failures = grade.tests.filter((t) => t.status !== 'passed').map((t) => `${t.name}: ${t.message.slice(-300)}`);
      expect(got, `${student}: notes ${grade.notes.join(' | ')}\nfailed:\n${failures.join('\n')}`).toEqual(want);
    });
  }
});

// As root on Linux (CI, the instructor's machine) `make install` provides it; elsewhere it is optional.
test.runIf(process.platform === 'linux' && process.getuid?.() === 0)('this machine has the sandbox', () => {
  expect(unavailable).toBeUndefined();
});

// The hook in Program.start, as the suites of stages with programs use it under the grader.
describe.skipIf(unavailable !== undefined)('a program started in the sandbox', () => {
  let sandbox: RunSandbox;
  beforeAll(() => {
    sandbox = openRunSandbox(`unit-${process.pid}`, [realpathSync(join(ROOT, 'node_modules'))]);
    Object.assign(process.env, sandbox.env);
  });
  afterAll(() => {
    delete process.env[SANDBOX_VAR];
    sandbox?.close();
  });

  const run = (script: string): Program => Program.start(process.execPath, ['-e', script], { who: 'program', transcript: new Transcript(), cwd: '/tmp' });

  test('runs as nobody, sees neither the kit nor the grader, and cannot write what it sees', async () => {
    const script = `
      const fs = require('node:fs');
      const can = (f) => { try { f(); return 'yes'; } catch (e) { return e.code; } };
      console.log(JSON.stringify({
        uid: process.getuid(),
        solutions: can(() => fs.readdirSync(${JSON.stringify(join(ROOT, 'solutions'))})),
        writeModules: can(() => fs.writeFileSync(${JSON.stringify(join(ROOT, 'node_modules', 'x'))}, 'x')),
        processes: fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length,
        tmp: can(() => fs.writeFileSync('/tmp/x', 'x')),
      }));`;
    const p = run(script);
    const seen = JSON.parse(await p.waitForLine('stdout', 'its findings', (l) => l.startsWith('{'), 20_000)) as Record<string, unknown>;
    await p.stop();
    expect(seen).toEqual({ uid: SANDBOX_UID, solutions: 'ENOENT', writeModules: 'EROFS', processes: 2, tmp: 'yes' });
  });

  test('cannot fill a disk or the memory: its /tmp holds 64 MiB and /dev/shm 16 MiB', async () => {
    const p = run(`
      const fs = require('node:fs');
      const block = Buffer.alloc(1 << 20, 1);
      const fill = (file) => { let n = 0; try { const fd = fs.openSync(file, 'w'); for (; n < 1024; n++) fs.writeSync(fd, block); } catch (e) { return n + ' ' + e.code; } return n + ' written'; };
      console.log(JSON.stringify({ tmp: fill('/tmp/fill'), shm: fill('/dev/shm/fill'), cwd: fill('fill-here'), home: fill(require('node:os').homedir() + '/fill-home') }));`);
    const seen = JSON.parse(await p.waitForLine('stdout', 'what it could write', (l) => l.startsWith('{'), 60_000)) as Record<string, string>;
    await p.stop();
    // The program runs in /tmp here, and HOME is /tmp inside: the same 64 MiB, already full.
    expect(seen).toEqual({ tmp: `${TMP_LIMIT_BYTES / 2 ** 20} ENOSPC`, shm: `${SHM_LIMIT_BYTES / 2 ** 20} ENOSPC`, cwd: '0 ENOSPC', home: '0 ENOSPC' });
  });

  test('cannot make a user namespace of its own (less of the kernel within reach)', async () => {
    const p = run(`const r = require('node:child_process').spawnSync('/usr/bin/unshare', ['-U', '-r', 'true']); console.log('status ' + r.status);`);
    const line = await p.waitForLine('stdout', 'the status of unshare -U', (l) => l.startsWith('status'), 20_000);
    await p.stop();
    expect(line).not.toBe('status 0');
  });

  test('runs as a uid of its run\'s own outside, so a kernel key it leaves is out of sight of the next run', async () => {
    const description = `classchat-key-${process.pid}`;
    const addKey = run(`
      const r = require('node:child_process').spawnSync('/usr/bin/perl', ['-e', 'my ($t, $d, $p) = ("user", $ARGV[0], "left behind"); print syscall(248, $t, $d, $p, length($p), -4)', ${JSON.stringify(description)}]);
      console.log('key ' + r.stdout + ' ' + require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/^Uid:\\s+(\\d+)/m)[1]);
      setInterval(() => {}, 1000);`);
    const added = await addKey.waitForLine('stdout', 'the key it added', (l) => l.startsWith('key '), 20_000);
    expect(Number(added.split(' ')[1])).toBeGreaterThan(0);
    // The uid inside is nobody; outside (as the grader sees it) it is the run's own.
    expect(added.split(' ')[2]).toBe(String(SANDBOX_UID));
    const hostUid = sandbox.spec.hostUid;
    expect(hostUid).not.toBe(SANDBOX_UID);
    // Another run, graded at the same time, looks for it.
    const other = openRunSandbox(`unit-${process.pid}-other`, [realpathSync(join(ROOT, 'node_modules'))]);
    expect(other.spec.hostUid).not.toBe(hostUid);
    try {
      // The sandbox comes from the tests' own environment, never from what a caller passes on.
      const ours = process.env[SANDBOX_VAR];
      Object.assign(process.env, other.env);
      const look = run(`console.log('keys ' + JSON.stringify(require('node:fs').readFileSync('/proc/keys', 'utf8')))`);
      process.env[SANDBOX_VAR] = ours;
      const seen = await look.waitForLine('stdout', 'the keys it can see', (l) => l.startsWith('keys '), 20_000);
      await look.stop();
      expect(seen).not.toContain(description);
    } finally {
      await addKey.stop();
      other.close();
    }
  });

  test('gets the signals sent to its process group, and its own exit code is what the tests see', async () => {
    const p = run(`process.on('SIGTERM', () => process.exit(3)); console.log('ready'); setInterval(() => {}, 1000);`);
    await p.waitForLine('stdout', 'ready', (l) => l === 'ready', 20_000);
    p.signal('SIGTERM');
    expect(await p.waitForExit('exit on SIGTERM', 10_000)).toEqual({ code: 3, signal: null });
  });

  test('has no capability, no supplementary group and no way to gain either', async () => {
    const p = run(`console.log(JSON.stringify(Object.fromEntries(require('node:fs').readFileSync('/proc/self/status', 'utf8').split('\\n').map((l) => l.split(':\\t')).filter(([k]) => /^(Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs)$/.test(k)))))`);
    const seen = JSON.parse(await p.waitForLine('stdout', 'its status', (l) => l.startsWith('{'), 20_000)) as Record<string, string>;
    await p.stop();
    const none = '0000000000000000';
    expect(seen).toEqual({ Groups: expect.stringMatching(/^\s*$/), CapInh: none, CapPrm: none, CapEff: none, CapBnd: none, CapAmb: none, NoNewPrivs: '1' });
    // Outside, before bwrap, it was already the run's uid: the kernel clears a root's capabilities there.
    expect(statSync(join(sandbox.spec.cgroups[0], 'cgroup.procs')).uid).toBe(sandbox.spec.hostUid);
  });

  test('a program that is not Node gets the signals its sandbox ignores back at their defaults', async () => {
    const p = Program.start('/bin/sh', ['-c', 'echo ready; exec sleep 30'], { who: 'program', transcript: new Transcript(), cwd: '/tmp' });
    await p.waitForLine('stdout', 'ready', (l) => l === 'ready', 20_000);
    // Wait for the shell to have become sleep, which handles no signal of its own.
    await expect.poll(() => readFileSync(`/proc/${p.programPid}/cmdline`, 'latin1').split('\0')[0], { timeout: 10_000 }).toBe('sleep');
    p.signal('SIGTERM');
    // bwrap passes a death by a signal on as an exit code, 128 + the signal's number.
    expect(await p.waitForExit('die of SIGTERM', 10_000)).toEqual({ code: 128 + 15, signal: null });
  });

  test('a Node program without a handler dies of SIGTERM, though its sandbox ignores it', async () => {
    const p = run(`console.log('ready'); setInterval(() => {}, 1000);`);
    await p.waitForLine('stdout', 'ready', (l) => l === 'ready', 20_000);
    p.signal('SIGTERM');
    // bwrap passes a death by a signal on as an exit code, 128 + the signal's number.
    expect(await p.waitForExit('die of SIGTERM', 10_000)).toEqual({ code: 128 + 15, signal: null });
  });

  test('all its processes, children too, are in a cgroup held to the CPU weight of one process', async () => {
    const cpu = sandbox.spec.cgroups.find((cg) => cg.includes('/cpu/'))!;
    expect(readFileSync(join(cpu, 'cpu.shares'), 'utf8').trim()).toBe(String(CPU_SHARES));
    const p = run(`const c = require('node:child_process').spawn('sleep', ['30']); c.on('spawn', () => console.log('child ' + c.pid));`);
    await p.waitForLine('stdout', 'its child started', (l) => l.startsWith('child '), 20_000);
    // Every process of the sandbox, as the kernel files them: bwrap, the program and its child.
    const members = readFileSync(join(cpu, 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    const program = p.programPid!;
    const child = Number(readFileSync(`/proc/${program}/task/${program}/children`, 'utf8').trim().split(' ')[0]);
    await p.stop();
    expect(members).toEqual(expect.arrayContaining([p.pid, program, child]));
  });

  test('its processes, as the tests measure them, are every process in its pid namespace, not bubblewrap outside', async () => {
    const p = run(`const c = require('node:child_process').spawn('setsid', ['sleep', '30'], { stdio: 'ignore' }); c.on('spawn', () => console.log('child'));`);
    await p.waitForLine('stdout', 'its child started', (l) => l === 'child', 20_000);
    const program = p.programPid!;
    // Wait for setsid to become the sleep (or, had it to fork, for its child, the init's orphan).
    await expect.poll(() => p.programPids().filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith('sleep')), { timeout: 10_000 }).toHaveLength(1);
    const pids = p.programPids();
    await p.stop();
    // The sandbox's init (bwrap inside), the program and the sleep in a session of its own.
    expect(pids).toContain(program);
    expect(pids).not.toContain(p.pid);
    expect(pids).not.toContain(process.pid);
    expect(pids).toHaveLength(3);
  });

  test('its busy threads are counted as its own load (which the grader leaves out of its run\'s stretch)', async () => {
    // The earlier tests' processes may still be dying (a sleep in its pid namespace's teardown
    // shows as R for a moment): counted from an empty cgroup, a task of theirs cannot pass for a loop.
    await expect.poll(() => sandbox.processes(), { timeout: 10_000 }).toEqual([]);
    const p = run(`
      const { spawn } = require('node:child_process');
      for (let i = 0; i < 6; i++) spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
      console.log('spinning');`);
    try {
      await p.waitForLine('stdout', 'spinning', (l) => l === 'spinning', 20_000);
      // Six loops, each runnable (or throttled, which the kernel still shows as R).
      await expect.poll(() => runnableTasks(sandbox.spec), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    } finally {
      await p.stop();
    }
  });

  test('cannot start more than the process limit, and nothing of it outlives its stop()', async () => {
    const p = run(`
      const { spawn } = require('node:child_process');
      let started = 0, refused = 0;
      for (let i = 0; i < ${PROCESS_LIMIT + 44}; i++) {
        try { spawn('sleep', ['60'], { stdio: 'ignore' }).on('error', () => refused++); started++; } catch { refused++; }
      }
      setTimeout(() => console.log('refused ' + refused), 2000);`);
    const line = await p.waitForLine('stdout', 'how many were refused', (l) => l.startsWith('refused'), 30_000);
    expect(Number(line.split(' ')[1])).toBeGreaterThan(44);
    await p.stop();
    // The kernel empties the pid namespace once its first process is gone: nothing needs killing.
    for (let waited = 0; sandbox.processes().length > 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(sandbox.processes()).toEqual([]);
    expect(sandbox.close().notes.join(' ')).toContain(`more than ${PROCESS_LIMIT} processes`);
    sandbox = openRunSandbox(`unit-${process.pid}-2`, []);
    Object.assign(process.env, sandbox.env);
  });
});

describe('where the sandbox cannot be had', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'classchat-class-'));
    cpSync(join(ROOT, 'solutions'), join(dir, 'alice'), { recursive: true });
    // As root, the fallback still drops student code to a uid of its own: a survivor that would
    // rewrite the exports is killed by that uid, and could not write them anyway.
    const starters = shippedStarters();
    assemble('survivor', join(dir, 'survivor'), starters.dir, { __OUTPUT_DIR__: join(dir, '.out'), __KIT_ROOT__: ROOT, __LISTENER_PORT__: '1' });
    if (starters.temp) rmSync(starters.temp, { recursive: true, force: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const grade = (...extra: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'kit', 'cli.ts'), 'grade', dir, '--stages', '1', '--out', join(dir, '.out'), ...extra], {
      cwd: ROOT,
      env: { ...process.env, CLASSCHAT_BWRAP: '/nonexistent/bwrap', NO_COLOR: '1' },
      encoding: 'utf8',
    });

  test('make grade says why in one line and refuses', () => {
    const r = grade();
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^No sandbox for student code: .*Grading refused; --unsandboxed \(UNSANDBOXED=1\)/);
    expect(existsSync(join(dir, '.out'))).toBe(false);
  });

  test('--unsandboxed grades, and every page says the grades are not tamper-proof', async () => {
    const r = grade('--unsandboxed');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(UNSANDBOXED_NOTE);
    expect(readFileSync(join(dir, '.out', 'feedback', 'alice.md'), 'utf8')).toContain(UNSANDBOXED_NOTE);
    expect(readFileSync(join(dir, '.out', 'gradescope', 'alice', 'results.json'), 'utf8')).toContain(UNSANDBOXED_NOTE);
    expect(readFileSync(join(dir, '.out', 'grades.csv'), 'utf8')).toContain(UNSANDBOXED_NOTE);
    const book = readFileSync(join(dir, '.out', 'grades.json'), 'utf8');
    expect(book).toContain(UNSANDBOXED_NOTE);
    const grades = (JSON.parse(book) as { students: StudentGrade[] }).students;
    expect(grades.map((g) => [g.student, g.points])).toEqual([['alice', 4], ['survivor', 4]]);
    // The survivor is gone, and the exports stay as written.
    if (process.getuid?.() === 0) {
      expect(livePids('classchat-survivor')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(readFileSync(join(dir, '.out', 'grades.json'), 'utf8')).toBe(book);
    }
  }, 120_000);
});
