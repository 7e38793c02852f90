import v8 from 'node:v8';
import vm from 'node:vm';

// A hub gives back the memory a burst of output took once the burst is over. V8 keeps the heap
// a burst grew to until its memory reducer runs: on a hub on PGlite, after two 100 MB jobs, it
// held 239 MB for 21 s and 160 MB after. Every user runs a hub in the background, so one full
// collection a few seconds after the last write hands it back at once; it is skipped when the
// heap has not grown much since the last one, so that a trickle of output never pays for it.

/** Quiet this long after a write before collecting. */
const QUIET_MS = 5000;
/** Heap growth since the last collection below which none is made. */
const MIN_GROWTH_BYTES = 16 * 1024 * 1024;

export class IdleCollection {
  private timer: NodeJS.Timeout | undefined;
  private heapAfterLast: number;

  constructor(
    private readonly collect: () => void,
    private readonly heapBytes: () => number = () => v8.getHeapStatistics().total_heap_size,
    private readonly quietMs = QUIET_MS,
  ) {
    this.heapAfterLast = heapBytes();
  }

  /** Something was written: collect once it has been quiet for a while. */
  wrote(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.collectIfGrown(), this.quietMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private collectIfGrown(): void {
    if (this.heapBytes() - this.heapAfterLast < MIN_GROWTH_BYTES) return;
    this.collect();
    this.heapAfterLast = this.heapBytes();
  }
}

/** V8's full collection, which Node only exposes behind a flag: the flag is set, and `gc` taken from a new context. */
export function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
