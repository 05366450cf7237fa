import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

// What the browser tests share: Debian's chromium driven by playwright-core (never a
// downloaded browser), axe-core for accessibility, and the Nu HTML Checker (vnu-jar, run
// with Debian's java) for the markup. Each judge is skipped, saying so, where the machine
// lacks it; .ci/run installs both.

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
const JAVA = ['/usr/bin/java', '/usr/local/bin/java'].find((candidate) => existsSync(candidate));
export const VNU_JAR = path.resolve(__dirname, '../../node_modules/vnu-jar/build/dist/vnu.jar');
export const haveVnu = JAVA !== undefined && existsSync(VNU_JAR);

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Page fits its viewport's width (no sideways scrolling on a phone). Evaluated in the page, as a string: this file has no DOM types. */
export const fitsWidth = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now. axe is put into the
 * page once and run there at each size: putting it in (compiling 650 KB of script) cost as
 * much as a run, and @axe-core/playwright did it twice per run (the page, then a blank page
 * to gather the results), three seconds a run on this machine against under one.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // Only violations are wanted: asking for nothing else spares axe most of its reporting work.
  const results = await page.evaluate<AxeResults>('axe.run(document, { resultTypes: ["violations"] })');
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target.join(' ')) }));
}

export interface VnuMessage {
  page: string;
  message: string;
  extract?: string;
}

/** The Nu HTML Checker's errors for each named document, in one run of the checker (its start-up is the slow part). */
export async function vnuErrors(documents: ReadonlyMap<string, string>): Promise<VnuMessage[]> {
  if (!JAVA) throw new Error('java is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'gs-vnu-'));
  try {
    const files = new Map<string, string>();
    let n = 0;
    for (const [name, html] of documents) {
      const file = path.join(dir, `page-${(n += 1)}.html`);
      writeFileSync(file, html);
      files.set(`file:${file}`, name);
    }
    const output = await new Promise<string>((resolve, reject) => {
      execFile(JAVA, ['-Xss4m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout', ...[...files.keys()].map((url) => url.slice('file:'.length))], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
        // vnu exits 1 when it finds errors; its report is still on stdout.
        if (stdout) resolve(stdout);
        else reject(error ?? new Error('vnu printed nothing'));
      });
    });
    const report = JSON.parse(output) as { messages: Array<{ type: string; url?: string; message: string; extract?: string }> };
    return report.messages
      .filter((message) => message.type === 'error')
      .map((message) => ({ page: files.get(message.url ?? '') ?? message.url ?? '?', message: message.message, ...(message.extract ? { extract: message.extract } : {}) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function artifactsDir(name: string): string {
  const dir = path.resolve(__dirname, '../../test-artifacts', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
