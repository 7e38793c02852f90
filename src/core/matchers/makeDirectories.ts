import path from 'node:path';

// GNU make's `make[1]: Entering directory '/x'` (a backquote opens it in make < 4.0, curly
// quotes in some locales' English) and its `Leaving directory` twin.
const DIRECTORY_LINE = /^[^\s:]*make(?:\.exe)?(?:\[\d+\])?: (Entering|Leaving) directory [`'‘](.*)['’]$/;

// The folder relative paths in the output are relative to: the job's own until a (sub-)make
// says it entered another, back to the one before when it says it left.
export class MakeDirectories {
  private readonly entered: string[] = [];

  constructor(private readonly cwd: string) {}

  get current(): string {
    return this.entered.at(-1) ?? this.cwd;
  }

  /** Follows one line of output. */
  track(line: string): void {
    const found = DIRECTORY_LINE.exec(line);
    if (!found) return;
    const dir = path.resolve(this.current, found[2]);
    if (found[1] === 'Entering') {
      this.entered.push(dir);
      return;
    }
    // Under make -j sub-makes leave in any order: each takes only its own folder off the stack.
    const at = this.entered.lastIndexOf(dir);
    if (at >= 0) this.entered.splice(at, 1);
  }
}
