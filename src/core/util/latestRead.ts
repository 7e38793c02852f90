// A value read on demand and kept until its input changes, for a view over files the user edits.
// A change while a read is in flight supersedes that read: whoever waits on it moves to a fresh
// read at once, without waiting for the old one to end (a read of a hung mount may never end, and
// a tree view refreshes a node only after its pending getChildren returns), and onRead sees only
// the newest read's value, whichever ends first.
export class LatestRead<T> {
  private current: Read<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    /** Called with the value of each read that is still the newest when it ends. */
    private readonly onRead: (value: T) => void = () => undefined,
  ) {}

  /** The value of the newest read, starting one when none is kept. */
  async get(): Promise<T> {
    for (;;) {
      const read = (this.current ??= this.start());
      try {
        const ended = await Promise.race([read.reading.then((value) => ({ value })), read.superseded]);
        if (ended && this.current === read) return ended.value;
      } catch (err) {
        if (this.current === read) throw err;
      }
      // Superseded while it ran (a failure too): wait for the read that replaced it.
    }
  }

  /** The input changed: the next get() reads again, and a get() waiting now gets that read. */
  invalidate(): void {
    this.current?.supersede();
    this.current = undefined;
  }

  private start(): Read<T> {
    let supersede = (): void => undefined;
    const superseded = new Promise<undefined>((resolve) => {
      supersede = () => resolve(undefined);
    });
    const read: Read<T> = {
      reading: this.read().then((value) => {
        if (this.current === read) this.onRead(value);
        return value;
      }),
      superseded,
      supersede,
    };
    return read;
  }
}

/** One read, and what ends the wait on it when a change supersedes it. */
interface Read<T> {
  reading: Promise<T>;
  superseded: Promise<undefined>;
  supersede: () => void;
}
