// Drives the real VS Code workbench (code-server) in a real browser (Debian's Chromium through
// playwright-core), with the packaged extension installed, for the end-to-end editor tests.
//
// Every editor gets fresh user-data, extensions and ledger folders under one temporary folder;
// `close()` ends the browser and the code-server process group and removes that folder, and a
// process `exit` hook ends whatever a failed test left running.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_ENTRY = path.join(
  REPO_ROOT,
  '.cache/code-server/node_modules/code-server/out/node/entry.js',
);
export const VSIX = path.join(REPO_ROOT, '.cache', 'deptrust.vsix');
export const CHROMIUM = process.env.DEPTRUST_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');
export const EXTENSION_ID = 'deptrust.deptrust';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Settings that keep the workbench quiet and predictable: no welcome page, walkthroughs, chat
 * panel, update checks or extension gallery; editor tests add their own `deptrust.*` settings.
 */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 300,
  'files.autoSave': 'off',
  'window.commandCenter': false,
};

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) {
        if (process.env.DEPTRUST_E2E_TRACE) {
          process.stderr.write(`e2e: ${Date.now() - started} ms waiting for ${what}\n`);
        }
        return value;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Fails with the command to run when code-server, the vsix or Chromium is missing. */
export function checkPrerequisites(): void {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(
      `code-server ${CODE_SERVER_VERSION} is not installed in .cache/code-server: ` +
        'run `bash scripts/e2e/install-code-server.sh`',
    );
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`apt-get install chromium\` (as root)`);
  }
}

/** What the vsix is made of; a change to any of them makes packageExtension() package again. */
const VSIX_INPUTS = [
  'client/src',
  'server/src',
  'syntaxes',
  'package.json',
  '.vscodeignore',
  'README.md',
  'scripts/build.mjs',
];

function newestChange(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    newest = Math.max(newest, newestChange(path.join(target, entry)));
  }
  return newest;
}

/**
 * Builds and packages the extension (scripts/e2e/package.sh) unless .cache/deptrust.vsix is
 * newer than every source it is made of, so the editor always runs the working tree's code.
 * DEPTRUST_E2E_VSIX=rebuild packages in any case.
 */
export function packageExtension(): string {
  const inputs = Math.max(...VSIX_INPUTS.map((p) => newestChange(path.join(REPO_ROOT, p))));
  const fresh = fs.existsSync(VSIX) && fs.statSync(VSIX).mtimeMs > inputs;
  if (fresh && process.env.DEPTRUST_E2E_VSIX !== 'rebuild') return VSIX;
  const run = spawnSync('bash', [path.join(REPO_ROOT, 'scripts/e2e/package.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    throw new Error(`scripts/e2e/package.sh failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return VSIX;
}

/** Runs code-server with its config and data folders (config.yaml, logs) under `home`. */
function codeServer(
  args: string[],
  home: string,
  options: { detached?: boolean; log?: number; env?: Record<string, string> } = {},
) {
  return spawn(process.execPath, [CODE_SERVER_ENTRY, ...args], {
    detached: options.detached,
    stdio: ['ignore', options.log ?? 'pipe', options.log ?? 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_DATA_HOME: path.join(home, 'data'),
      PASSWORD: '',
      ...options.env,
    },
  });
}

/** Installs a vsix into an extensions folder with `code-server --install-extension`. */
export async function installExtension(
  vsix: string,
  extensionsDir: string,
  userDataDir: string,
): Promise<string> {
  const args = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  const child = codeServer([...args, '--install-extension', vsix], path.dirname(userDataDir));
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsix} failed (${code}):\n${output}`);
  }
  return output.trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) killGroup(child);
});
// A test run stopped with Ctrl+C or by a timeout ends through a signal, which skips `exit`
// unless a handler turns it into one.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group, so the extension host and the language server end too.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export interface EditorOptions {
  /** The folder the workbench opens. */
  workspace: string;
  /** User settings (merged over the quiet defaults). */
  settings?: Record<string, unknown>;
  vsix?: string;
  /** Added to code-server's environment, which its extension host and language server inherit. */
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
}

/** One diagnostic as the Problems panel shows it. */
export interface ProblemRow {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based, as the panel prints it. */
  line: number;
  column: number;
  source: string;
  code: string;
  /** The file's absolute path. */
  file: string;
}

export type Squiggle = 'error' | 'warning' | 'info' | 'hint';

/** A running code-server with a browser page on its workbench. */
export class Editor {
  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    readonly root: string,
    readonly url: string,
    readonly logFile: string,
  ) {}

  static async start(options: EditorOptions): Promise<Editor> {
    checkPrerequisites();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deptrust-e2e-'));
    const userData = path.join(root, 'user-data');
    const extensions = path.join(root, 'extensions');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(extensions);
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
    );
    if (options.vsix) await installExtension(options.vsix, extensions, userData);

    const port = await freePort();
    const logFile = path.join(root, 'code-server.log');
    const log = fs.openSync(logFile, 'a');
    const server = codeServer(
      [
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir',
        userData,
        '--extensions-dir',
        extensions,
        options.workspace,
      ],
      root,
      { detached: true, log, env: options.env },
    );
    fs.closeSync(log);
    running.add(server);
    server.on('exit', () => running.delete(server));

    let browser: Browser | undefined;
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(
        `code-server to answer on ${base} (log: ${logFile})`,
        async () => {
          if (server.exitCode !== null) {
            throw new Error(`code-server exited with ${server.exitCode}: ${readTail(logFile)}`);
          }
          const res = await fetch(`${base}/healthz`).catch(() => undefined);
          return res?.ok ? true : undefined;
        },
        30_000,
      );
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: true,
      });
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1440, height: 960 },
        deviceScaleFactor: 1,
      });
      const page = await context.newPage();
      const url = `${base}/?folder=${encodeURIComponent(options.workspace)}`;
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
      const editor = new Editor(page, browser, server, root, url, logFile);
      await editor.waitForIdleWorkbench();
      return editor;
    } catch (err) {
      await browser?.close().catch(() => undefined);
      killGroup(server);
      throw err;
    }
  }

  /** Ends the browser and code-server; safe to call twice. Leaves `root` for a failed test. */
  async close(options: { keepFiles?: boolean } = {}): Promise<void> {
    await this.browser.close().catch(() => undefined);
    killGroup(this.server);
    running.delete(this.server);
    if (!options.keepFiles) fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** The activity bar and status bar are drawn once the workbench has restored its layout. */
  private async waitForIdleWorkbench(): Promise<void> {
    await this.page.locator('.part.statusbar').waitFor({ timeout: 30_000 });
    await this.page.locator('.part.activitybar, .part.sidebar').first().waitFor({ timeout: 30_000 });
  }

  /** Presses Escape until no quick input, hover or menu is open. */
  async dismiss(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
  }

  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.dismiss();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await waitFor('Quick Open', async () => (await input.isVisible()) || undefined);
    await input.fill(relativePath);
    const base = path.basename(relativePath);
    // The list first shows recently opened files; wait until the filtered pick has the focus.
    const row = this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: base });
    await waitFor(`Quick Open to pick ${relativePath}`, async () => (await row.count()) || undefined);
    await this.page.keyboard.press('Enter');
    await waitFor(`an editor tab for ${relativePath}`, async () => {
      const tab = this.page.locator('.tabs-container .tab.active');
      const label = (await tab.count()) ? await tab.first().getAttribute('aria-label') : null;
      return label?.startsWith(base) ? true : undefined;
    });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  }

  /** Runs a command from the palette (F1) by its full title, e.g. `deptrust: Revoke Trust`. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: title }),
    });
    await waitFor(`the palette to list "${title}"`, async () => {
      const labels = await this.page
        .locator('.quick-input-list .monaco-list-row .label-name')
        .allInnerTexts();
      return labels.some((l) => l.trim() === title) ? true : undefined;
    }, 15_000);
    await row.first().click();
    // Park the pointer on the title bar, where it raises no tooltip or hover.
    await this.page.mouse.move(700, 5);
  }

  /** The titles the palette lists for a query, for checking what a command contributes. */
  async paletteTitles(query: string): Promise<string[]> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${query}`);
    await this.page.waitForTimeout(500);
    const labels = await this.page
      .locator('.quick-input-list .monaco-list-row .label-name')
      .allInnerTexts();
    await this.page.keyboard.press('Escape');
    return labels.map((l) => l.trim());
  }

  /** The open quick pick's rows, when a command asks the user to choose. */
  async quickPickRows(): Promise<string[]> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.waitForTimeout(300);
    return (await this.page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map(
      (t) => t.replace(/\s+/g, ' ').trim(),
    );
  }

  /** Picks the quick pick row containing `text`. */
  async pickQuickPick(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(text);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: text });
    await row.first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Answers an input box (e.g. a reason) with `text` and Enter. */
  async answerInputBox(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** The text of every status bar item, left to right. */
  async statusBarItems(): Promise<string[]> {
    const items = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return items.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t.length > 0);
  }

  /** The status bar item whose id belongs to this extension, or whose text matches `pattern`. */
  async statusBarText(pattern: RegExp): Promise<string | undefined> {
    return (await this.statusBarItems()).find((t) => pattern.test(t));
  }

  /** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await waitFor(`the cursor at ${line}:${column}`, async () => {
      const pos = await this.cursor();
      return pos && pos.line === line && pos.column === column ? true : undefined;
    }, 5_000);
  }

  /** The cursor position the status bar shows (`Ln 12, Col 5`). */
  async cursor(): Promise<{ line: number; column: number } | undefined> {
    const text = await this.statusBarText(/^Ln \d+, Col \d+/);
    const m = text && /^Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
  }

  /** Moves the keyboard focus to the first editor group (Ctrl+1), closing any popup first. */
  async focusEditor(): Promise<void> {
    await this.dismiss();
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-instance .monaco-editor.focused').first().waitFor({
      timeout: 5_000,
    });
  }

  /**
   * The squiggles drawn in the active editor's visible lines, by 1-based line number. The
   * overlay of a line and its line number share the `top` offset of their rows.
   */
  async squiggles(): Promise<Map<number, Squiggle[]>> {
    const rows = await this.page.evaluate(() => {
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return [];
      const lineAt = new Map<string, number>();
      for (const row of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
        const n = Number(row.querySelector('.line-numbers')?.textContent?.trim());
        if (n) lineAt.set(row.style.top, n);
      }
      const out: Array<[number, string]> = [];
      for (const row of editor.querySelectorAll<HTMLElement>('.view-overlays > div')) {
        for (const el of row.querySelectorAll('[class*="squiggly-"]')) {
          const kind = /squiggly-(error|warning|info|hint)/.exec(el.className)?.[1];
          const line = lineAt.get(row.style.top);
          if (kind && line) out.push([line, kind]);
        }
      }
      return out;
    });
    const map = new Map<number, Squiggle[]>();
    for (const [line, kind] of rows) map.set(line, [...(map.get(line) ?? []), kind as Squiggle]);
    return map;
  }

  /** Squiggles on one line, scrolling it into view first. */
  async squigglesOn(line: number): Promise<Squiggle[]> {
    await this.goTo(line);
    await this.page.waitForTimeout(100);
    return (await this.squiggles()).get(line) ?? [];
  }

  /**
   * Opens the Problems panel (Ctrl+Shift+M), sets its filter box (text or a glob such as
   * `**\/go.sum`) and reads its rows: a file row (whose label's aria-label is the file's path)
   * followed by that file's marker rows.
   */
  async problems(filter = ''): Promise<ProblemRow[]> {
    await this.dismiss();
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      await this.page.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible', timeout: 10_000 });
    }
    const input = this.page.locator('.viewpane-filter input[aria-label="Filter Problems"]');
    if ((await input.inputValue()) !== filter) {
      await input.fill(filter);
      await this.page.waitForTimeout(300);
    }
    // LIMITATION: the panel's tree is virtual and only rows on screen are read: pass a filter
    // (`**/pom.xml`) when the workspace has more problems than the panel shows.
    // No helper functions inside: tsx's name-keeping wrapper does not exist in the page.
    const rows = await panel.locator('.monaco-list-row').evaluateAll((elements) =>
      elements.map((r) => ({
        file: r.querySelector('.resource-label-container .monaco-icon-label')
          ?.getAttribute('aria-label'),
        icon: r.querySelector('.marker-icon')?.className ?? '',
        message: r.querySelector('.marker-message')?.textContent?.trim() ?? '',
        source: r.querySelector('.marker-source')?.textContent?.trim() ?? '',
        code: r.querySelector('.marker-code')?.textContent?.trim() ?? '',
        position: r.querySelector('.marker-line')?.textContent?.trim() ?? '',
      })),
    );
    const out: ProblemRow[] = [];
    let file = '';
    for (const row of rows) {
      if (row.file) {
        file = row.file;
        continue;
      }
      const severity = /\b(error|warning|info)\b/.exec(row.icon)?.[1] as ProblemRow['severity'];
      const pos = /Ln (\d+), Col (\d+)/.exec(row.position);
      if (!severity || !pos) continue;
      out.push({
        severity,
        file,
        message: row.message,
        source: row.source,
        code: row.code,
        line: Number(pos[1]),
        column: Number(pos[2]),
      });
    }
    return out;
  }

  /** Hides the bottom panel if it is open (Ctrl+J toggles it). */
  async closePanel(): Promise<void> {
    await this.dismiss();
    const panel = this.page.locator('.part.panel');
    if (await panel.isVisible()) {
      await this.page.keyboard.press('Control+J');
      await panel.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /**
   * Shows the hover at a 1-based position (palette: Show or Focus Hover, the command behind
   * Ctrl+K Ctrl+I, whose chord proved unreliable when typed) and returns the text of all its
   * parts (problem, language server), once it contains `until` and has stopped changing.
   * The command is a no-op when it runs before the editor has the focus back from the
   * palette, so it is tried up to three times.
   */
  async hover(line: number, column: number, until = /\S/): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)');
    // A hover shown before every provider answered keeps what it had; showing it again asks
    // them again. Three tries, each waiting for the text to match and settle.
    let last = '';
    for (let attempt = 1; ; attempt++) {
      await this.goTo(line, column);
      await this.runCommand('Show or Focus Hover');
      let previous = '';
      try {
        return await waitFor(`a hover at ${line}:${column} matching ${until}`, async () => {
          if (!(await hover.count())) return undefined;
          const text = (await hover.first().innerText()).trim();
          last = text;
          const settled = text === previous && until.test(text) && !/Loading\.\.\./.test(text);
          previous = text;
          return settled ? text : undefined;
        }, 8_000, 300);
      } catch (err) {
        if (attempt === 3) throw new Error(`${(err as Error).message}; last hover text: ${JSON.stringify(last)}`);
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Opens the quick fix menu (Ctrl+.) at a 1-based position and returns its action titles. */
  async quickFixes(line: number, column: number): Promise<string[]> {
    await this.goTo(line, column);
    await this.page.keyboard.press('Control+.');
    const menu = this.page.locator('.action-widget');
    await menu.waitFor({ state: 'visible', timeout: 15_000 });
    return waitFor('quick fixes to load', async () => {
      const rows = menu.locator('.monaco-list-row.action');
      const titles = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      const named = titles.filter((t): t is string => Boolean(t));
      return named.length ? named : undefined;
    }, 10_000);
  }

  /**
   * Applies the open quick fix menu's action whose title starts with `title`, with the keyboard
   * (the menu's pointer block swallows synthetic clicks).
   */
  async applyQuickFix(title: string): Promise<void> {
    const menu = this.page.locator('.action-widget');
    const rows = menu.locator('.monaco-list-row.action');
    const count = await rows.count();
    for (let i = 0; i <= count; i++) {
      const focused = await menu
        .locator('.monaco-list-row.action.focused')
        .getAttribute('aria-label');
      if (focused?.startsWith(title)) {
        await this.page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 10_000 });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    const titles = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    throw new Error(`no quick fix starting with "${title}" in ${JSON.stringify(titles)}`);
  }

  /** The text of every notification toast on screen. */
  async notifications(): Promise<string[]> {
    const toasts = this.page.locator('.notifications-toasts .notification-toast');
    return (await toasts.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Types text at the cursor as a keyboard would, without auto-closing brackets. */
  async insertText(text: string): Promise<void> {
    await this.page.keyboard.insertText(text);
  }

  /**
   * Saves a screenshot to test-results/screenshots/NAME.png and returns its path: the whole
   * window, or only the workbench part a selector names (`.part.editor`).
   */
  async screenshot(name: string, selector?: string): Promise<string> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${name}.png`);
    if (selector) await this.page.locator(selector).first().screenshot({ path: file });
    else await this.page.screenshot({ path: file });
    return file;
  }

  /** The names the Extensions view lists as installed (Ctrl+Shift+X). */
  async installedExtensions(): Promise<string[]> {
    await this.dismiss();
    await this.page.keyboard.press('Control+Shift+X');
    const rows = this.page.locator('.extensions-viewlet .extension-list-item .name');
    await rows.first().waitFor({ timeout: 20_000 });
    return (await rows.allInnerTexts()).map((t) => t.trim());
  }

  /**
   * The extension host's log: it records every activation, with its event
   * (`ExtensionService#_doActivateExtension deptrust.deptrust, ... activationEvent: ...`).
   */
  extensionHostLog(): string {
    const logs = path.join(this.root, 'user-data', 'logs');
    let text = '';
    for (const session of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
      const dir = path.join(logs, session);
      for (const host of fs.readdirSync(dir).filter((d) => d.startsWith('exthost'))) {
        const file = path.join(dir, host, 'remoteexthost.log');
        if (fs.existsSync(file)) text += fs.readFileSync(file, 'utf8');
      }
    }
    return text;
  }

  /** The extension's own output channel log (`deptrust.log`), as the language client wrote it. */
  outputChannelLog(extensionId = EXTENSION_ID): string {
    const logs = path.join(this.root, 'user-data', 'logs');
    let text = '';
    for (const session of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
      const dir = path.join(logs, session);
      for (const host of fs.readdirSync(dir).filter((d) => d.startsWith('exthost'))) {
        const folder = path.join(dir, host, extensionId);
        if (!fs.existsSync(folder)) continue;
        for (const f of fs.readdirSync(folder)) text += fs.readFileSync(path.join(folder, f), 'utf8');
      }
    }
    return text;
  }

  /** The code-server log so far, for failure messages. */
  log(): string {
    return readTail(this.logFile);
  }
}

function readTail(file: string, chars = 4000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '(no log)';
  }
}
