import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { formatCommand } from '../../shared/format';
import { aliasError, assignmentError, targetError } from '../mkcli/names';
import type { Problem } from '../problem';

/** Where a workspace folder keeps its named sequences (JSON with comments; its schema is contributed). */
export const SEQUENCES_FILE = '.vscode/vm-orchestrator.json';

/** A step of a named sequence: a target, its `VAR=value` arguments, and the VM it runs for, if any. */
export interface SequenceStep {
  alias: string;
  target: string;
  args: string[];
  /** `<environment>/<vm>`. */
  vm?: string;
}

/** A sequence kept in the workspace, with where it is written. */
export interface NamedSequence {
  name: string;
  description?: string;
  steps: SequenceStep[];
  file: string;
  /** 1-based line of its entry. */
  line: number;
}

/** A step in words, arguments quoted as a shell would need them: `web deploy ENV=prod on prod/web-1`. */
export function stepText(step: SequenceStep): string {
  return `${step.alias} ${step.target}${step.args.length > 0 ? ` ${formatCommand(step.args)}` : ''}${step.vm ? ` on ${step.vm}` : ''}`;
}

/** The keys a step takes, as the schema declares them. */
export const STEP_KEYS = ['alias', 'target', 'args', 'vm'] as const;
/** The keys a sequence takes. */
export const SEQUENCE_KEYS = ['name', 'description', 'steps'] as const;

const WORKSPACE_FILE = 'a workspace file';

// Reads the named sequences of one workspace file. The file is a teammate's as much as the
// user's: a step is taken only when its alias, target and arguments could come from a click
// (arguments: VAR=value only, never an option or a variable that changes how make runs). A bad
// sequence becomes a problem naming its line and is left out; the others are kept.
export function parseSequences(text: string, file: string): { sequences: NamedSequence[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const at = (node: Node | undefined, severity: Problem['severity'], message: string): undefined => {
    problems.push({ severity, message, file, ...position(text, node?.offset ?? 0) });
    return undefined;
  };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    problems.push({ severity: 'error', message: `Not valid JSON: ${printParseErrorCode(first.error)}`, file, ...position(text, first.offset) });
    return { sequences: [], problems };
  }
  if (root === undefined || root.type !== 'object') {
    at(root, 'error', 'Expected an object with "sequences": [ … ]');
    return { sequences: [], problems };
  }
  const list = property(root, 'sequences');
  if (list === undefined) return { sequences: [], problems };
  if (list.type !== 'array') {
    at(list, 'error', '"sequences" must be a list');
    return { sequences: [], problems };
  }
  const sequences: NamedSequence[] = [];
  const names = new Set<string>();
  for (const entry of list.children ?? []) {
    const sequence = readSequence(entry, (node, message) => at(node, 'error', message), (node, message) => at(node, 'warning', message));
    if (!sequence) continue;
    if (names.has(sequence.name)) {
      at(entry, 'error', `A second sequence named "${sequence.name}": names must be unique`);
      continue;
    }
    names.add(sequence.name);
    sequences.push({ ...sequence, file, line: position(text, entry.offset).line });
  }
  return { sequences, problems };
}

type Report = (node: Node | undefined, message: string) => undefined;

function readSequence(entry: Node, error: Report, warning: Report): Omit<NamedSequence, 'file' | 'line'> | undefined {
  if (entry.type !== 'object') return error(entry, 'A sequence must be an object with "name" and "steps"');
  unknownKeys(entry, SEQUENCE_KEYS, 'a sequence', warning);
  const name = property(entry, 'name');
  if (name?.type !== 'string' || String(name.value).trim() === '') return error(name ?? entry, 'A sequence needs a "name"');
  const description = property(entry, 'description');
  if (description !== undefined && description.type !== 'string') return error(description, '"description" must be text');
  const stepsNode = property(entry, 'steps');
  if (stepsNode?.type !== 'array' || (stepsNode.children ?? []).length === 0) return error(stepsNode ?? entry, `Sequence "${name.value}" needs "steps": a list of at least one target`);
  const steps: SequenceStep[] = [];
  for (const stepNode of stepsNode.children ?? []) {
    const step = readStep(stepNode, warning);
    if (typeof step === 'string') return error(stepNode, `Sequence "${name.value}", step ${steps.length + 1}: ${step}`);
    steps.push(step);
  }
  return { name: String(name.value).trim(), ...(description ? { description: String(description.value) } : {}), steps };
}

// A step, or why it is refused.
function readStep(node: Node, warning: Report): SequenceStep | string {
  if (node.type !== 'object') return 'expected an object with "alias" and "target"';
  unknownKeys(node, STEP_KEYS, 'a step', warning);
  const value = getNodeValue(node) as Record<string, unknown>;
  if (typeof value.alias !== 'string') return 'needs an "alias" (a project of the mkcli registry)';
  if (typeof value.target !== 'string') return 'needs a "target"';
  const bad = aliasError(value.alias) ?? targetError(value.target);
  if (bad) return bad;
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) return '"args" must be a list of VAR=value texts';
  const badArg = args.map((a) => assignmentError(a, WORKSPACE_FILE)).find((e) => e !== undefined);
  if (badArg) return badArg;
  if (value.vm !== undefined && (typeof value.vm !== 'string' || !/^[^/]+\/[^/]+$/.test(value.vm))) return '"vm" must be "<environment>/<vm>"';
  return { alias: value.alias, target: value.target, args, ...(typeof value.vm === 'string' ? { vm: value.vm } : {}) };
}

function unknownKeys(node: Node, known: readonly string[], what: string, warning: Report): void {
  for (const pair of node.children ?? []) {
    const key = pair.children?.[0];
    if (key && !known.includes(String(key.value))) warning(key, `Unknown property "${String(key.value)}" of ${what} (ignored); known: ${known.join(', ')}`);
  }
}

function property(node: Node, key: string): Node | undefined {
  return node.children?.find((pair) => pair.children?.[0]?.value === key)?.children?.[1];
}

/** 1-based line and column of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
