/** Marks text whose value cannot be known without running something (a `$(shell …)`). */
export const UNKNOWN = '\u0000';

export interface Variable {
  /** `recursive` values are expanded at each use, `simple` ones were expanded when set. */
  flavor: 'recursive' | 'simple';
  value: string;
}

// The variables of one static reading: those the makefiles set, then the environment (make
// imports it, and the makefiles override it), then the few that make defines itself.
export class MakeVariables {
  private readonly set_ = new Map<string, Variable>();

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly builtins: ReadonlyMap<string, Variable>,
  ) {}

  get(name: string): Variable | undefined {
    const own = this.set_.get(name);
    if (own) return own;
    const fromEnv = Object.prototype.hasOwnProperty.call(this.env, name) ? this.env[name] : undefined;
    if (fromEnv !== undefined) return { flavor: 'simple', value: fromEnv };
    return this.builtins.get(name);
  }

  isDefined(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, variable: Variable): void {
    this.set_.set(name, variable);
  }

  undefine(name: string): void {
    this.set_.delete(name);
  }
}

// make's own variables as a user's `make` run sees them (without `-R`). MAKE_VERSION, MAKEFLAGS
// and the like depend on the make and the command line, so they are unknown.
export function builtinVariables(dir: string): Map<string, Variable> {
  const simple = (value: string): Variable => ({ flavor: 'simple', value });
  return new Map<string, Variable>([
    ['CURDIR', simple(dir)],
    ['MAKE', simple('make')],
    ['MAKECMDGOALS', simple('')],
    ['MAKELEVEL', simple('0')],
    ['SHELL', simple('/bin/sh')],
    ['CC', simple('cc')],
    ['CXX', simple('g++')],
    ['AR', simple('ar')],
    ['RM', simple('rm -f')],
    ['MAKE_VERSION', simple(UNKNOWN)],
    ['MAKEFLAGS', simple(UNKNOWN)],
    ['MFLAGS', simple(UNKNOWN)],
    ['MAKE_HOST', simple(UNKNOWN)],
    ['.FEATURES', simple(UNKNOWN)],
    ['.VARIABLES', simple(UNKNOWN)],
    ['.INCLUDE_DIRS', simple(UNKNOWN)],
  ]);
}
