import * as vscode from 'vscode';
import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetCache } from '../../core/mkcli/targetCache';
import { targetError } from '../../core/mkcli/names';
import { TaskType } from '../../shared/ids';
import { log } from '../logger';
import type { JobService } from '../jobs/jobService';
import type { ProjectsTreeProvider } from '../views/projectsTreeProvider';
import { formatCommand } from '../../shared/format';
import { refusedTask } from './refusedTask';
import { isShellOperator, operatorRefusal } from '../../core/exec/parseArgs';

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
        return listing.targets.filter((t) => !targetError(t.name)).map((t) => this.task(entry, { type: TaskType, alias: entry.alias, target: t.name }, t.description));
      }),
    );
    return perProject.flat();
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const definition = task.definition as MkcliTaskDefinition;
    if (typeof definition.alias !== 'string' || typeof definition.target !== 'string') return undefined;
    const entry = (await this.projects.entries()).entries.find((e) => e.alias === definition.alias);
    if (!entry) return this.refused(definition, task.scope, `There is no project "${definition.alias}" in the mkcli registry.`);
    return this.task(entry, definition, undefined, task.scope);
  }

  private refused(definition: MkcliTaskDefinition, scope: vscode.Task['scope'], reason: string): vscode.Task {
    log.warn(`Task ${definition.alias} ${definition.target}: ${reason}`);
    return refusedTask(definition, scope, formatCommand([definition.alias, definition.target]), `Not run: ${reason}`);
  }

  private task(entry: RegistryEntry, definition: MkcliTaskDefinition, detail: string | undefined, scope: vscode.Task['scope'] = vscode.TaskScope.Workspace): vscode.Task {
    const args = Array.isArray(definition.args) ? definition.args.filter((a): a is string => typeof a === 'string') : [];
    // An argument that is a shell operator was meant for a shell, which never runs a task: `["ENV=x",
    // "&&", "rm", …]` would pass `&&` and the rest to make as goals. Refused, as Run with Arguments
    // refuses it; an entry is otherwise one argument as it is, whatever it holds (`"FLAGS=-O2 -g"`).
    const operator = args.find(isShellOperator);
    const bad = targetError(definition.target) ?? (operator !== undefined ? operatorRefusal(operator.trim()) : undefined);
    if (bad) return this.refused(definition, scope, bad);
    const request = { entry, target: definition.target, args, mode: 'terminal' as const };
    const task = new vscode.Task(
      definition,
      scope ?? vscode.TaskScope.Workspace,
      formatCommand([entry.alias, definition.target, ...args]),
      TaskType,
      // No problem matchers: the job's own (JobProblems) find its problems where make printed them.
      new vscode.CustomExecution(() => this.jobs.taskTerminal(request)),
      [],
    );
    if (detail) task.detail = detail;
    return task;
  }
}
