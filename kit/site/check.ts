// `make guide-check`: builds the web guide, opens every page in a real headless browser (Debian's
// chromium, driven by playwright-core; nothing is downloaded) and fails on a link to a missing page
// or section, an image that does not load, a request that fails or a console error. Saves a
// screenshot of each page in dist/guide-shots/ for a person to look at.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { kitRoot } from '../stages.ts';
import { buildSite } from './build.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
export const shotsDir = (): string => join(kitRoot(), 'dist', 'guide-shots');

interface Link {
  href: string;
  text: string;
}

/** What is wrong with one open page: links, images, and the errors collected while it loaded. */
async function problemsOf(page: Page, file: string, dir: string, errors: string[]): Promise<string[]> {
  const problems = [...errors];
  const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ src: i.getAttribute('src') ?? '', ok: i.complete && i.naturalWidth > 0 })));
  for (const img of images) if (!img.ok) problems.push(`image ${img.src} does not load`);
  const links = await page.$$eval('a[href]', (as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', text: a.textContent ?? '' })));
  for (const link of links) problems.push(...linkProblems(link, file, dir));
  if (links.length === 0) problems.push('no links at all (the chapter list is missing)');
  return problems;
}

// Pages of the site are local files: a link must name one of them, and its #section must exist.
function linkProblems(link: Link, file: string, dir: string): string[] {
  if (/^https?:|^mailto:/.test(link.href)) return [`link "${link.text}" leaves the site (${link.href}): the guide must work offline`];
  const [path, anchor] = link.href.split('#');
  const target = path === '' ? file : path;
  const full = join(dir, target);
  if (!existsSync(full)) return [`link "${link.text}" points to ${link.href}, which does not exist`];
  if (anchor && !readFileSync(full, 'utf8').includes(`id="${anchor}"`)) {
    return [`link "${link.text}" points to ${link.href}, but ${target} has no section #${anchor}`];
  }
  return [];
}

export async function checkSite(): Promise<number> {
  const started = Date.now();
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`guide-check needs Chromium at ${CHROMIUM}: make guide-check installs it (apt-get install chromium) when run as root.\n`);
    return 2;
  }
  const site = buildSite();
  const shots = shotsDir();
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  let failed = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // No network: anything that is not a file of the site fails the page.
    await context.route(/^(?!file:)/, (route) => route.abort());
    for (const file of site.pages) {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (msg) => msg.type() === 'error' && errors.push(`console error: ${msg.text()}`));
      page.on('pageerror', (err) => errors.push(`script error: ${err.message}`));
      page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'no reason'})`));
      await page.goto(pathToFileURL(join(site.dir, file)).href, { waitUntil: 'load' });
      const problems = await problemsOf(page, file, site.dir, errors);
      const shot = join(shots, file.replace(/\.html$/, '.png'));
      await page.screenshot({ path: shot, fullPage: true });
      await page.close();
      if (problems.length) failed++;
      const mark = problems.length ? '✗' : '✓';
      process.stdout.write(`  ${mark} ${file}${problems.map((p) => `\n      ${p}`).join('')}\n`);
    }
  } finally {
    await browser.close();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`Screenshots in ${relative(kitRoot(), shots)}/ (${seconds} s)\n`);
  process.stdout.write(`guide-check: ${site.pages.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

checkSite().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`guide-check: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
