// Targets named in words rather than picked in a view: a keybinding's arguments, a dropped target.

/** A target for a VM named in words: a dropped target, a keybinding's arguments. */
export interface TargetOnVm {
  alias: string;
  target: string;
  /** `<environment>/<vm>`. */
  vm: string;
  /** The arguments; default: the ones last given to this target. */
  args?: string[];
  /** Ask before running (a drop is easily a slip of the mouse). */
  confirm?: boolean;
}

/** A target named in words, as a keybinding gives `vmOrchestrator.runTarget`: `{alias, target, args?, vm?}`. */
export type NamedTarget = Omit<TargetOnVm, 'vm' | 'confirm'> & { vm?: string };

// Reads a keybinding's or a drop's arguments; throws saying what is wrong with them.
export function namedTarget(value: unknown): NamedTarget {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof o.alias !== 'string' || typeof o.target !== 'string') throw new Error('Expected {"alias": "<project>", "target": "<target>", "args"?: ["VAR=value"], "vm"?: "<env>/<vm>"}');
  if (o.args !== undefined && !(Array.isArray(o.args) && o.args.every((a) => typeof a === 'string'))) throw new Error('Expected "args" to be a list of words');
  if (o.vm !== undefined && typeof o.vm !== 'string') throw new Error('Expected "vm" to be "<environment>/<vm>"');
  return { alias: o.alias, target: o.target, ...(o.args ? { args: o.args as string[] } : {}), ...(o.vm !== undefined ? { vm: o.vm } : {}) };
}
