// Editor saves through a real fs.watch on a temporary folder: one grade per save, whatever the
// editor's dance of temporary files and renames; noise files never grade.
import { once } from 'node:events';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { debounce, isCodeChange, isEditorNoise, watchSaves } from './debounce.ts';
import type { FSWatcher } from 'node:fs';

const dirs: string[] = [];
const watchers: FSWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'classchat-watch-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'endpoint.ts'), 'export const A = 1;\n');
  return dir;
}

/** Collects the saves a watcher reports until `quiet` ms pass with none. */
function saves(dir: string, quietMs: number) {
  const seen: Array<string | undefined> = [];
  const events = new (class extends EventTarget {})();
  watchers.push(watchSaves(dir, (file) => {
    seen.push(file);
    events.dispatchEvent(new Event('save'));
  }, quietMs));
  return { seen, next: () => once(events, 'save') };
}

test('editor side files are noise; TypeScript sources are code', () => {
  for (const name of ['4913', '.endpoint.ts.swp', '.endpoint.ts.swx', 'endpoint.ts~', '.#endpoint.ts', '#endpoint.ts#', 'endpoint.ts.tmp', 'endpoint.ts___jb_tmp___', 'endpoint.ts.tmp.1234.5678']) {
    expect(isEditorNoise(name), name).toBe(true);
    expect(isCodeChange(name), name).toBe(false);
  }
  for (const name of ['endpoint.ts', 'server.ts', 'sub/loop.ts']) {
    expect(isEditorNoise(name), name).toBe(false);
    expect(isCodeChange(name), name).toBe(true);
  }
  expect(isCodeChange('notes.txt')).toBe(false);
  // fs.watch may not name the file: then it counts.
  expect(isCodeChange(null)).toBe(true);
});

test('a burst of triggers calls once, after the quiet time; cancel calls nothing', async () => {
  let calls = 0;
  const d = debounce(() => calls++, 30);
  for (let i = 0; i < 5; i++) d.trigger();
  expect(calls).toBe(0);
  await new Promise((r) => setTimeout(r, 120));
  expect(calls).toBe(1);
  d.trigger();
  d.cancel();
  await new Promise((r) => setTimeout(r, 120));
  expect(calls).toBe(1);
});

test('a vim-style save (test file, backup rename, new file) and an atomic rename each grade once', async () => {
  const dir = folder();
  const file = join(dir, 'endpoint.ts');
  const w = saves(dir, 100);
  // vim with backupcopy=no: 4913 probe, rename to endpoint.ts~, write endpoint.ts, remove backup.
  let saved = w.next();
  writeFileSync(join(dir, '4913'), '');
  rmSync(join(dir, '4913'));
  renameSync(file, `${file}~`);
  writeFileSync(file, 'export const A = 2;\n');
  rmSync(`${file}~`);
  await saved;
  expect(w.seen).toEqual(['endpoint.ts']);
  // VS Code / JetBrains style: write a temporary file and rename it over the original.
  saved = w.next();
  writeFileSync(`${file}.tmp`, 'export const A = 3;\n');
  renameSync(`${file}.tmp`, file);
  await saved;
  expect(w.seen).toEqual(['endpoint.ts', 'endpoint.ts']);
  // Noise alone never grades: a swap file written, then a real save to prove the watcher lives.
  saved = w.next();
  writeFileSync(join(dir, '.endpoint.ts.swp'), 'x');
  writeFileSync(join(dir, 'notes.txt'), 'x');
  await new Promise((r) => setTimeout(r, 300));
  expect(w.seen).toHaveLength(2);
  writeFileSync(file, 'export const A = 4;\n');
  await saved;
  expect(w.seen).toHaveLength(3);
});
