import * as vscode from 'vscode';
import type { Problem } from '../../core/problem';
import { readRegistries, type Registry, type RegistryEntry } from '../../core/mkcli/registry';
import { describeRunner } from '../../core/mkcli/targetCommand';
import { whyNotFolder } from '../../core/util/folderProblem';
import { LatestRead } from '../../core/util/latestRead';
import type { TargetCache } from '../../core/mkcli/targetCache';
import type { Target, TargetListing } from '../../core/mkcli/targets';
import { CommandIds } from '../../shared/ids';
import { Disposable } from '../disposable';
import { log } from '../logger';
import type { Settings } from '../config';
import { markdownLines, tildify } from './markdown';
import { escapeMarkdown as escape } from './markdownText';
import type { Favourites } from '../jobs/favourites';
import { ProblemNode, type NoticeNode } from './problemNode';
import { SequenceNode, SequencesNode } from './sequenceNodes';
import type { WorkspaceSequences } from '../sequences/workspaceSequences';

/** A registered mkcli project; expands to its targets. */
export class ProjectNode extends vscode.TreeItem {
  constructor(
    readonly entry: RegistryEntry,
    /** Why its folder is not one (whyNotFolder), when it is not. */
    notFolder: string | undefined,
    /** Which command its targets run and why (describeRunner). */
    runs: string,
  ) {
    super(entry.alias, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `project:${entry.alias}`;
    this.description = tildify(entry.dir) + (entry.version ? ` · ${entry.version}` : '');
    this.contextValue = notFolder ? 'vmoMissingProject' : 'vmoProject';
    this.iconPath = notFolder
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('project');
    this.resourceUri = vscode.Uri.file(entry.dir);
    this.tooltip = markdownLines([
      `**${escape(entry.alias)}**`,
      escape(entry.dir),
      entry.version ? `Registered by mkcli ${escape(entry.version)}` : '',
      notFolder ? `$(warning) This folder ${escape(notFolder)}` : '',
      escape(runs),
      `From ${escape(tildify(entry.file))}, line ${entry.line}`,
    ], { themeIcons: true });
  }
}

/** A make target of a project. */
export class TargetNode extends vscode.TreeItem {
  constructor(
    readonly entry: RegistryEntry,
    readonly target: Target,
    source: TargetListing['source'],
    clickAction: Settings['clickAction'],
    pinned: boolean,
    /** Under Favourites: the same target, shown twice in the tree, needs an id of its own there. */
    inFavourites = false,
  ) {
    super(inFavourites ? `${entry.alias} ${target.name}` : target.name, vscode.TreeItemCollapsibleState.None);
    this.id = `${inFavourites ? 'favourite' : 'target'}:${entry.alias}:${target.name}`;
    this.description = target.description;
    this.contextValue = pinned ? 'vmoTargetPinned' : 'vmoTarget';
    this.iconPath = new vscode.ThemeIcon('symbol-event');
    this.tooltip = markdownLines([
      `**${escape(entry.alias)} ${escape(target.name)}**`,
      target.description ? escape(target.description) : '',
      target.file ? `${escape(tildify(target.file))}:${target.line}` : '',
      `_${listedBy(entry, source)}_`,
    ]);
    this.command =
      clickAction === 'run'
        ? { command: CommandIds.runTarget, title: 'Run', arguments: [this] }
        : { command: CommandIds.openMakefile, title: 'Open Makefile', arguments: [this] };
  }
}

function listedBy(entry: RegistryEntry, source: TargetListing['source']): string {
  switch (source) {
    case 'static':
      return 'Listed by reading the makefiles (nothing was run)';
    case 'make':
      return "Listed by make's database";
    case 'mkcli':
      return `Listed by ${escape(entry.alias)} --list-targets`;
  }
}

/** The pinned targets, at the top of the view while there are any. */
export class FavouritesNode extends vscode.TreeItem {
  constructor() {
    super('Favourites', vscode.TreeItemCollapsibleState.Expanded);
    this.id = 'favourites';
    this.contextValue = 'vmoFavourites';
    this.iconPath = new vscode.ThemeIcon('star-full');
  }
}

type Node = FavouritesNode | SequencesNode | SequenceNode | ProjectNode | TargetNode | ProblemNode | NoticeNode;

// The Projects view: every alias of the mkcli registry, each expanding to its targets.
// getChildren never throws: whatever goes wrong becomes a problem item naming the file and line.
export class ProjectsTreeProvider extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  // A change during a slow read (a registry on a hung mount) leads to a fresh read, whose result
  // everyone waiting gets.
  private readonly registry = new LatestRead(() => this.readRegistry());
  private readonly listings = new Map<string, TargetListing>();

  constructor(
    private readonly settings: () => Settings,
    private readonly targets: TargetCache,
    /** Told when a project's targets are asked for (`reading`) and when they are listed. */
    private readonly listed: { reading(entry: RegistryEntry): void; listed(entry: RegistryEntry, listing: TargetListing): void },
    private readonly favourites: Favourites,
    private readonly sequences: WorkspaceSequences,
  ) {
    super();
    this.register(sequences.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Re-read the registry and re-list targets whose makefiles changed. */
  refresh(): void {
    this.registry.invalidate();
    this.changed.fire(undefined);
  }

  /** The registry as last read (reading it if needed). */
  entries(): Promise<Registry> {
    return this.registry.get();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    try {
      if (!node) return await this.rootNodes();
      if (node instanceof ProjectNode) return await this.targetNodes(node);
      if (node instanceof FavouritesNode) return await this.favouriteNodes();
      if (node instanceof SequencesNode) return await this.sequenceNodes();
      return [];
    } catch (error) {
      log.error('Projects view', error);
      const file = this.settings().registryFile;
      return [new ProblemNode({ severity: 'error', message: `Cannot list projects: ${(error as Error).message}`, file }, 'projects:')];
    }
  }

  private async rootNodes(): Promise<Node[]> {
    const registry = await this.entries();
    const nodes: Node[] = await Promise.all(
      registry.entries.map(async (e) => new ProjectNode(e, await whyNotFolder(e.dir), await describeRunner(e, process.env))),
    );
    const favourites = this.favourites.list().length > 0 ? [new FavouritesNode()] : [];
    const sequences = await this.sequences.list();
    const sequencesNode = sequences.sequences.length > 0 || sequences.problems.length > 0 ? [new SequencesNode()] : [];
    return [...favourites, ...sequencesNode, ...nodes, ...registry.problems.map((p) => new ProblemNode(p, 'projects:'))];
  }

  // The pinned targets, each as its project lists it now; one it no longer lists is said so.
  private async favouriteNodes(): Promise<Node[]> {
    const registry = await this.entries();
    const clickAction = this.settings().clickAction;
    return Promise.all(
      this.favourites.list().map(async ({ alias, target }) => {
        const entry = registry.entries.find((e) => e.alias === alias);
        const listing = entry && (await this.targets.get(entry));
        const found = listing?.targets.find((t) => t.name === target);
        if (entry && listing && found) return new TargetNode(entry, found, listing.source, clickAction, true, true);
        const why = entry ? `${alias} no longer lists ${target}` : `${alias} is not in the mkcli registry any more`;
        const problem = { severity: 'warning' as const, message: `Pinned ${alias} ${target}: ${why}. Unpin it with Unpin Target in the Command Palette.`, file: this.settings().registryFile };
        return new ProblemNode(problem, 'favourites:');
      }),
    );
  }

  private async sequenceNodes(): Promise<Node[]> {
    const { sequences, problems } = await this.sequences.list();
    return [...problems.map((p) => new ProblemNode(p, 'sequences:')), ...sequences.map((s) => new SequenceNode(s))];
  }

  /** Draws the tree again without reading anything anew (favourites changed). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  private async targetNodes(node: ProjectNode): Promise<Node[]> {
    // In Restricted Mode the listing only reads the makefiles (see targetSourceFor).
    this.listed.reading(node.entry);
    const listing = await this.targets.get(node.entry);
    this.listings.set(node.entry.alias, listing);
    this.listed.listed(node.entry, listing);
    const problems = listing.problems.map((p: Problem) => new ProblemNode(p, `projects:${node.entry.alias}:`));
    const clickAction = this.settings().clickAction;
    return [...problems, ...listing.targets.map((t) => new TargetNode(node.entry, t, listing.source, clickAction, this.favourites.has(node.entry.alias, t.name)))];
  }

  /** The makefile of a project as last listed, if any. */
  makefileOf(alias: string): string | undefined {
    return this.listings.get(alias)?.makefile;
  }

  private async readRegistry(): Promise<Registry> {
    const s = this.settings();
    const registry = await readRegistries(s.registryFile, s.teamRegistryFile, s.home);
    log.info(`Registry ${s.registryFile}: ${registry.entries.length} projects, ${registry.problems.length} problems`);
    return registry;
  }
}
