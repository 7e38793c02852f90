// At most `limit()` runs at once per VM; the others wait their turn, first come first served.
// A run holds its VM from begin() until leave(); leaving (ended, or canceled while waiting)
// begins the next ones. A lower limit applies as runs end; a higher one at the next leave.
export class VmQueue {
  /** The runs holding each VM. */
  private readonly active = new Map<string, Set<string>>();
  /** The runs waiting for each VM, in order. */
  private readonly waiting = new Map<string, { jobId: string; begin: () => void }[]>();
  /** The VM of every run held or waiting. */
  private readonly vmOf = new Map<string, string>();

  constructor(private readonly limit: () => number) {}

  /** Whether a run on `vm` entered now would begin at once. */
  hasRoom(vm: string): boolean {
    return (this.waiting.get(vm)?.length ?? 0) === 0 && (this.active.get(vm)?.size ?? 0) < this.max();
  }

  /** Begins the run now when the VM has room (true), else queues it (false). */
  enter(vm: string, jobId: string, begin: () => void): boolean {
    this.vmOf.set(jobId, vm);
    if (this.hasRoom(vm)) {
      this.hold(vm, jobId);
      begin();
      return true;
    }
    const line = this.waiting.get(vm) ?? [];
    line.push({ jobId, begin });
    this.waiting.set(vm, line);
    return false;
  }

  /** The run ended, or was canceled while it waited: its VM's next runs begin. Returns whether it was waiting. */
  leave(jobId: string): boolean {
    const vm = this.vmOf.get(jobId);
    if (vm === undefined) return false;
    this.vmOf.delete(jobId);
    const line = this.waiting.get(vm) ?? [];
    const at = line.findIndex((w) => w.jobId === jobId);
    if (at >= 0) {
      line.splice(at, 1);
      if (line.length === 0) this.waiting.delete(vm);
      return true;
    }
    const held = this.active.get(vm);
    held?.delete(jobId);
    if (held?.size === 0) this.active.delete(vm);
    this.next(vm);
    return false;
  }

  /** How many runs wait before this one for its VM (0: it is next); undefined when it is not waiting. */
  ahead(jobId: string): number | undefined {
    const vm = this.vmOf.get(jobId);
    const at = vm === undefined ? -1 : (this.waiting.get(vm)?.findIndex((w) => w.jobId === jobId) ?? -1);
    return at >= 0 ? at : undefined;
  }

  private next(vm: string): void {
    const line = this.waiting.get(vm);
    while (line && line.length > 0 && (this.active.get(vm)?.size ?? 0) < this.max()) {
      const { jobId, begin } = line.shift()!;
      this.hold(vm, jobId);
      begin();
    }
    if (line?.length === 0) this.waiting.delete(vm);
  }

  private hold(vm: string, jobId: string): void {
    const held = this.active.get(vm) ?? new Set<string>();
    held.add(jobId);
    this.active.set(vm, held);
  }

  private max(): number {
    const limit = Math.floor(this.limit());
    return Number.isFinite(limit) && limit >= 1 ? limit : 1;
  }
}
