// Drives the VS Code workbench served by code-server in Debian's Chromium, through playwright-core.
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeOnExit } from './processes';
import { escapeRegExp } from '../../src/shared/regexp';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that keep Chromium from reaching the outside (and let it run as root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** One row of a tree view as the user sees it. */
export interface TreeRow {
  label: string;
  description: string;
  /** The row's aria-label (what a screen reader reads). */
  ariaLabel: string;
  /** 1 for top-level items. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
}

export interface WorkbenchOptions {
  /** Default 1280x800. */
  viewport?: { width: number; height: number };
  /** Milliseconds to wait for the workbench to render. Default 60 s. */
  timeoutMs?: number;
}

/** A Chromium page showing the VS Code workbench, with the helpers the e2e tests use. */
export class Workbench {
  /** Browser console errors and page errors, for diagnosis. */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.consoleErrors.push(String(e)));
  }

  /** Launches a headless Chromium (fresh profile), opens `url` and waits for the workbench. */
  static async open(url: string, options: WorkbenchOptions = {}): Promise<Workbench> {
    // Chromium keeps crash reports under $XDG_CONFIG_HOME whatever the profile: point it at a temp folder.
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'vmo-chromium-'));
    const forget = removeOnExit(scratch);
    const removeScratch = (): void => {
      rmSync(scratch, { recursive: true, force: true });
      forget();
    };
    let browser: Browser;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 60_000,
        env: {
          ...process.env,
          XDG_CONFIG_HOME: path.join(scratch, 'config'),
          XDG_CACHE_HOME: path.join(scratch, 'cache'),
        },
      });
    } catch (err) {
      removeScratch();
      throw err;
    }
    browser.once('disconnected', removeScratch);
    try {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const workbench = new Workbench(browser, page);
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await workbench.waitForWorkbench(options.timeoutMs ?? 60_000);
      return workbench;
    } catch (err) {
      await browser.close().catch(() => undefined);
      throw err;
    }
  }

  /** Waits until the workbench and its activity bar are on screen. */
  async waitForWorkbench(timeoutMs = 60_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** The activity bar entry of a view container, by its title (e.g. "VM Orchestrator"). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar .action-item:has(> a.action-label[aria-label^="${cssString(title)}"])`);
  }

  /** Shows the side bar container `title` (without toggling it closed when it is already open). */
  async openViewContainer(title: string, timeoutMs = 20_000): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    const sideBarTitle = this.page.locator('.part.sidebar > .composite.title h2').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(title)}`, 'i') });
    // Just after a reload the workbench is still restoring its layout and may drop a click:
    // look again, and click again if the container still does not show.
    for (let attempt = 1; ; attempt++) {
      if (!(await this.sideBarShows(title))) await item.locator('a.action-label').click();
      try {
        await sideBarTitle.waitFor({ state: 'visible', timeout: attempt === 1 ? Math.min(5000, timeoutMs) : timeoutMs });
        return;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  private async sideBarShows(title: string): Promise<boolean> {
    const sideBar = this.page.locator('.part.sidebar');
    if (!(await sideBar.isVisible())) return false;
    const h2 = sideBar.locator('> .composite.title h2');
    if ((await h2.count()) === 0 || !(await h2.first().isVisible())) return false;
    const text = (await h2.first().textContent()) ?? '';
    return text.trim().toLowerCase().startsWith(title.toLowerCase());
  }

  /** The pane of view `title` (e.g. "Projects") in the side bar. */
  viewPane(title: string): Locator {
    return this.page.locator(
      `.part.sidebar .pane:has(> .pane-header h3.title:text-is("${cssString(title)}")), ` +
        `.part.sidebar .pane:has(> .pane-header h3.title:text-is("${cssString(title.toUpperCase())}"))`,
    );
  }

  /** Expands the view pane `title` when it is collapsed. */
  async expandView(title: string): Promise<Locator> {
    const pane = this.viewPane(title);
    await pane.waitFor({ state: 'visible' });
    const header = pane.locator('> .pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane;
  }

  /** Collapses the view pane `title` when it is expanded (to give the other views room). */
  async collapseView(title: string): Promise<void> {
    const header = this.viewPane(title).locator('> .pane-header');
    await header.waitFor({ state: 'visible' });
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
    await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'false', await header.elementHandle());
    await this.page.waitForTimeout(300);
  }

  /** Drags the side bar's edge so it is `width` pixels wide. */
  async setSideBarWidth(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) throw new Error('The side bar is not visible');
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width + 1, y, { steps: 8 });
    await this.page.mouse.up();
    await this.parkMouse();
    await this.page.waitForTimeout(200);
  }

  /** Drags the sash under view pane `title` so the pane is `height` pixels tall (the next pane gives way). */
  async setViewHeight(title: string, height: number): Promise<void> {
    const box = await this.viewPane(title).boundingBox();
    if (!box) throw new Error(`The view ${title} is not visible`);
    const x = box.x + box.width / 2;
    await this.page.mouse.move(x, box.y + box.height);
    await this.page.mouse.down();
    await this.page.mouse.move(x, box.y + height, { steps: 8 });
    await this.page.mouse.up();
    await this.parkMouse();
    await this.page.waitForTimeout(200);
  }

  /** Opens a workspace file in the editor through Quick Open (Ctrl+P), by a part of its path. */
  async openFile(pathPart: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible' });
    await input.fill(pathPart);
    const match = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
    await match.waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    const name = pathPart.split('/').pop() ?? pathPart;
    await this.page.locator(`.part.editor .tab[aria-label^="${cssString(name)}"]`).first().waitFor({ state: 'visible' });
  }

  /** Every row of a tree view (scrolling through it when it is longer than its pane), top to bottom. */
  async treeRows(viewTitle: string): Promise<TreeRow[]> {
    const pane = await this.expandView(viewTitle);
    const seen = new Map<number, TreeRow>();
    const collect = async (): Promise<boolean> => {
      for (const { index, row } of await renderedRows(pane)) seen.set(index, row);
      return false;
    };
    await collect();
    if (await this.scrollable(pane)) {
      await this.scanList(pane, collect);
      await this.scrollList(pane, -1e6);
      await this.parkMouse();
    }
    return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
  }

  /** True when the tree in `pane` has more rows than fit (the list only renders the rows in view). */
  private async scrollable(pane: Locator): Promise<boolean> {
    const list = pane.locator('.pane-body .monaco-list').first();
    if ((await list.count()) === 0) return false;
    return list.evaluate((el) => {
      // The rows container is as tall as all rows together; the list element is as tall as the pane shows.
      const rows = el.querySelector('.monaco-list-rows') as unknown as { offsetHeight: number } | null;
      return rows !== null && rows.offsetHeight > (el as unknown as { clientHeight: number }).clientHeight + 1;
    });
  }

  private async scrollList(pane: Locator, deltaY: number): Promise<void> {
    const box = await pane.locator('.pane-body .monaco-list').first().boundingBox();
    if (!box) return;
    await this.page.mouse.move(box.x + box.width - 4, box.y + Math.min(10, box.height / 2));
    await this.page.mouse.wheel(0, deltaY);
    await this.page.waitForTimeout(80);
  }

  /** Scrolls the tree from the top down, calling `visit` at each position until it returns true or the end. */
  private async scanList(pane: Locator, visit: () => Promise<boolean>): Promise<boolean> {
    const box = await pane.locator('.pane-body .monaco-list').first().boundingBox();
    if (!box) return false;
    await this.scrollList(pane, -1e6);
    let last = -1;
    for (let i = 0; i < 200; i++) {
      if (await visit()) return true;
      const indices = (await renderedRows(pane)).map((r) => r.index);
      const max = indices.length > 0 ? Math.max(...indices) : -1;
      if (max === last) return false;
      last = max;
      await this.scrollList(pane, Math.max(22, box.height * 0.7));
    }
    return false;
  }

  /** Moves the pointer off the side bar so no hover is left showing. */
  private async parkMouse(): Promise<void> {
    const box = await this.page.locator('.part.editor').boundingBox().catch(() => null);
    if (box) await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  }

  /** Waits until `predicate` holds for the rows of a tree view; returns them. */
  async waitForTreeRows(
    viewTitle: string,
    predicate: (rows: TreeRow[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<TreeRow[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.treeRows(viewTitle);
      if (predicate(rows)) return rows;
      if (Date.now() > deadline) {
        throw new Error(`Tree "${viewTitle}" did not reach the expected state; it shows:\n${formatRows(rows)}`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  /** The row of a tree item by its label (the first one when several match). */
  treeItem(viewTitle: string, label: string): Locator {
    return this.viewPane(viewTitle)
      .locator('.pane-body .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
      .first();
  }

  /** Scrolls a tree item into view (the list renders only the rows in view) and returns its row. */
  async revealTreeItem(viewTitle: string, label: string, timeoutMs = 20_000): Promise<Locator> {
    const pane = await this.expandView(viewTitle);
    const row = this.treeItem(viewTitle, label);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await row.count()) > 0) break;
      if ((await this.scrollable(pane)) && (await this.scanList(pane, async () => (await row.count()) > 0))) break;
      if (Date.now() > deadline) {
        throw new Error(`No item "${label}" in tree "${viewTitle}"; it shows:\n${formatRows(await this.treeRows(viewTitle))}`);
      }
      await this.page.waitForTimeout(250);
    }
    await this.scrollIntoList(pane, row);
    return row;
  }

  /**
   * Scrolls the tree until `row` lies wholly inside it. The list draws rows a little beyond its
   * edges, where the pane header takes the click, and scrolls itself, which scrollIntoView does not.
   */
  private async scrollIntoList(pane: Locator, row: Locator): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const list = await pane.locator('.pane-body .monaco-list').first().boundingBox();
      const box = await row.boundingBox();
      if (!list || !box) return;
      const above = list.y - box.y;
      const below = box.y + box.height - (list.y + list.height);
      if (above > 0) await this.scrollList(pane, -(above + 4));
      else if (below > 0) await this.scrollList(pane, below + 4);
      else return;
    }
  }

  /**
   * Clicks a tree item (runs its command, or toggles it when it has children). A list that
   * scrolls or re-renders under the pointer (another view growing, a notification) can take the
   * click on another row: the item is clicked again until it is the one selected, up to three times.
   */
  async clickTreeItem(viewTitle: string, label: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.revealTreeItem(viewTitle, label);
      await row.click();
      const selected = await row
        .and(this.page.locator('[aria-selected="true"]'))
        .waitFor({ timeout: 2000 })
        .then(() => true, () => false);
      if (selected || attempt === 3) return;
    }
  }

  /** Expands a tree item when it is collapsed and waits until it is expanded. */
  async expandTreeItem(viewTitle: string, label: string): Promise<void> {
    const row = await this.revealTreeItem(viewTitle, label);
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.monaco-tl-twistie').click();
    }
    await this.page.waitForFunction(
      (el) => el?.getAttribute('aria-expanded') === 'true',
      await row.elementHandle(),
      { timeout: 20_000 },
    );
  }

  /**
   * Runs a command from the command palette by its title as shown there (e.g. "VM Orchestrator: Refresh Projects").
   * `asks`: the command opens a quick pick or input of its own, so the palette does not close.
   */
  async runCommand(title: string, { asks = false } = {}): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const match = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ hasText: title })
      .first();
    await this.retryingPalette(async () => {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await match.waitFor({ state: 'visible', timeout: 10_000 });
      await match.click({ timeout: 5000 });
    });
    if (!asks) await input.waitFor({ state: 'hidden' });
  }

  /**
   * Runs a command that asks with a quick pick and clicks the first of its items showing `hasText`;
   * returns how many items showed it. The pick is asked for again when it closed before the click.
   */
  async runCommandAndPick(title: string, hasText: string, timeoutMs = 10_000): Promise<number> {
    const items = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText });
    return this.retryingPalette(async () => {
      await this.runCommand(title, { asks: true });
      await items.first().waitFor({ state: 'visible', timeout: timeoutMs });
      const count = await items.count();
      await items.first().click({ timeout: 5000 });
      return count;
    });
  }

  /**
   * Runs `body`, and again after Escape, up to three times in all: a webview that opens or takes
   * the focus meanwhile (a job's console, say) closes the palette or a pick, or swallows a key.
   */
  private async retryingPalette<T>(body: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await body();
      } catch (err) {
        if (attempt === 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /** Drags one tree row onto another with the mouse, in small steps (the tree's HTML5 drag needs moves to start). */
  async dragTo(source: Locator, target: Locator): Promise<void> {
    const from = await source.boundingBox();
    const to = await target.boundingBox();
    if (!from || !to) throw new Error('a row to drag from or onto is not on screen');
    await this.page.mouse.move(from.x + 40, from.y + from.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(from.x + 50, from.y + from.height / 2 + 5, { steps: 5 });
    await this.page.mouse.move(to.x + 100, to.y + to.height / 2, { steps: 20 });
    // The tree decides on a dragover whether the row takes the drop: give it a few.
    for (let i = 0; i < 5; i++) {
      await this.page.waitForTimeout(100);
      await this.page.mouse.move(to.x + 102 + i, to.y + to.height / 2);
    }
    await this.page.mouse.up();
    await this.parkMouse();
  }

  /** Picks the item with `label` in the quick pick whose placeholder is `placeholder`, once it is open (typed to filter, then clicked). */
  async pickQuickItem(placeholder: string, label: string, timeoutMs = 20_000): Promise<void> {
    const input = this.page.locator(`.quick-input-widget .quick-input-box input[placeholder="${cssString(placeholder)}"]`);
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(label);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /**
   * The frame of a webview whose document has an element matching `selector` (with `hasText`, when
   * given). A webview's page is an iframe inside another iframe of the workbench; only visible
   * webviews have one, since a hidden tab's webview is destroyed.
   */
  async webviewFrame(selector: string, options: { hasText?: string | RegExp; timeoutMs?: number } = {}): Promise<Frame> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.isDetached()) continue;
        try {
          let match = frame.locator(selector);
          if (options.hasText !== undefined) match = match.filter({ hasText: options.hasText });
          if ((await match.count()) > 0) return frame;
        } catch {
          // The frame navigated or went away while we looked.
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`No webview shows ${selector}${options.hasText !== undefined ? ` with text ${String(options.hasText)}` : ''}`);
      }
      await this.page.waitForTimeout(200);
    }
  }

  /**
   * The text of the terminal shown in the panel, one line per row, trailing blanks removed. Needs
   * the DOM renderer (`"terminal.integrated.gpuAcceleration": "off"`): the canvas renderers draw no text nodes.
   */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.part.panel .terminal-wrapper.active .xterm-rows');
    if ((await rows.count()) === 0) return '';
    return rows.first().evaluate((el) =>
      Array.from((el as unknown as { children: ArrayLike<{ textContent: string | null }> }).children)
        .map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd())
        .join('\n')
        .trimEnd(),
    );
  }

  /** Waits until the panel's terminal shows text matching `pattern`; returns all of its text. */
  async waitForTerminalText(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.terminalText();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`The terminal did not show ${String(pattern)}; it shows:\n${text || '(nothing)'}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** The messages of the notification toasts on screen, newest first. */
  async notifications(): Promise<string[]> {
    return this.page
      .locator('.notifications-toasts .notification-toast .notification-list-item-message')
      .evaluateAll((elements) => elements.map((el) => el.textContent?.trim() ?? ''));
  }

  /** Waits until a notification toast matching `pattern` shows; returns its message. */
  async waitForNotification(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.notifications()).find((m) => pattern.test(m));
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`No notification matched ${String(pattern)}; shown: ${JSON.stringify(await this.notifications())}`);
      }
      await this.page.waitForTimeout(200);
    }
  }

  /** The aria-label of the active editor tab (its name, then details such as the folder), or undefined. */
  async activeEditorTab(): Promise<string | undefined> {
    const tab = this.page.locator('.part.editor .editor-group-container.active .tab.active');
    if ((await tab.count()) === 0) return undefined;
    return (await tab.first().getAttribute('aria-label')) ?? undefined;
  }

  /** The cursor position the status bar shows for the active editor, e.g. "Ln 4, Col 1". */
  async editorSelection(): Promise<string> {
    const item = this.page.locator('.part.statusbar [id="status.editor.selection"]');
    if ((await item.count()) === 0) return '';
    return ((await item.first().textContent()) ?? '').trim();
  }

  /** Saves a PNG of the whole window. */
  async screenshot(file: string): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file, timeout: 15_000 });
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

/** The rows the virtual list has rendered now, with their index in the whole tree. */
async function renderedRows(pane: Locator): Promise<Array<{ index: number; row: TreeRow }>> {
  return pane.locator('.pane-body .monaco-list-row').evaluateAll((elements) =>
    elements.map((el) => ({
      index: Number(el.getAttribute('data-index') ?? '0'),
      row: {
        label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
        ariaLabel: el.getAttribute('aria-label') ?? '',
        level: Number(el.getAttribute('aria-level') ?? '1'),
        expanded: el.hasAttribute('aria-expanded') ? el.getAttribute('aria-expanded') === 'true' : undefined,
      },
    })),
  );
}

/** Rows as indented text, for assertion messages. */
export function formatRows(rows: TreeRow[]): string {
  if (rows.length === 0) return '  (no rows)';
  return rows
    .map((r) => `${'  '.repeat(r.level)}${r.label}${r.description ? ` — ${r.description}` : ''}${r.expanded === undefined ? '' : r.expanded ? ' [-]' : ' [+]'}`)
    .join('\n');
}

/** The rows one level under the top-level row `label` (its children), in order. */
export function childrenOf(rows: TreeRow[], label: string): TreeRow[] {
  const at = rows.findIndex((r) => r.level === 1 && r.label === label);
  if (at < 0) return [];
  const children: TreeRow[] = [];
  for (const row of rows.slice(at + 1)) {
    if (row.level === 1) break;
    if (row.level === 2) children.push(row);
  }
  return children;
}

/** Escapes a value for use inside a double-quoted CSS/Playwright selector string. */
function cssString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
