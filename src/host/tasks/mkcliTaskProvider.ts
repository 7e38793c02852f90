import * as vscode from 'vscode';
import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetCache } from '../../core/mkcli/targetCache';
import { targetError } from '../../core/mkcli/names';
import { TaskType } from '../../shared/ids';
import { log } from '../logger';
import type { JobService } from '../jobs/jobService';
import type { ProjectsTreeProvider } from '../views/projectsTreeProvider';
import { formatCommand } from '../../shared/format';
import { problemMatcherContributions } from '../../core/matchers/contribution';

// The problem matchers package.json contributes (the same as a console job's): VS Code finds the
// problems in a task's output itself and clears them when the task runs again.
const TASK_PROBLEM_MATCHERS = problemMatcherContributions().map((m) => `$${m.name}`);

interface MkcliTaskDefinition extends vscode.TaskDefinition {
  alias: string;
  target: string;
  args?: string[];
}

// Every target of every project as a task of type `mkcli`, so it shows in "Tasks: Run Task"
// and can be written into tasks.json. A task runs like "Run in Terminal": in a terminal backed by
// node-pty, recorded as a job with its transcript and exit code, never through a shell.
export class MkcliTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly projects: ProjectsTreeProvider,
    private readonly targets: TargetCache,
    private readonly jobs: JobService,
  ) {}

  async provideTasks(): Promise<vscode.Task[]> {
    // Listing targets runs make: in Restricted Mode there are no tasks to offer.
    if (!vscode.workspace.isTrusted) return [];
    const registry = await this.projects.entries();
    const perProject = await Promise.all(
      registry.entries.map(async (entry) => {
        const listing = await this.targets.get(entry);
        return Promise.all(
          listing.targets.map((t) => this.task(entry, { type: TaskType, alias: entry.alias, target: t.name }, t.description)),
        );
      }),
    );
    return perProject.flat().filter((t): t is vscode.Task => t !== undefined);
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const definition = task.definition as MkcliTaskDefinition;
    if (typeof definition.alias !== 'string' || typeof definition.target !== 'string') return undefined;
    const entry = (await this.projects.entries()).entries.find((e) => e.alias === definition.alias);
    if (!entry) {
      log.warn(`Task ${definition.alias} ${definition.target}: no project "${definition.alias}" in the mkcli registry`);
      return undefined;
    }
    return this.task(entry, definition, undefined, task.scope);
  }

  private async task(
    entry: RegistryEntry,
    definition: MkcliTaskDefinition,
    detail: string | undefined,
    scope: vscode.Task['scope'] = vscode.TaskScope.Workspace,
  ): Promise<vscode.Task | undefined> {
    const args = Array.isArray(definition.args) ? definition.args.filter((a): a is string => typeof a === 'string') : [];
    const bad = targetError(definition.target);
    if (bad) {
      log.warn(`Task ${entry.alias} ${definition.target}: ${bad}`);
      return undefined;
    }
    const request = { entry, target: definition.target, args, mode: 'terminal' as const };
    const task = new vscode.Task(
      definition,
      scope ?? vscode.TaskScope.Workspace,
      formatCommand([entry.alias, definition.target, ...args]),
      TaskType,
      new vscode.CustomExecution(() => this.jobs.taskTerminal(request)),
      TASK_PROBLEM_MATCHERS,
    );
    if (detail) task.detail = detail;
    return task;
  }
}
