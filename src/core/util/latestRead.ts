// A value read on demand and kept until its input changes, for a view over files the user edits.
// A change while a read is in flight supersedes that read: whoever waits on it gets the value of
// the fresh read instead, and onRead sees only the newest read's value, whichever ends first.
export class LatestRead<T> {
  private current: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    /** Called with the value of each read that is still the newest when it ends. */
    private readonly onRead: (value: T) => void = () => undefined,
  ) {}

  /** The value of the newest read, starting one when none is kept. */
  async get(): Promise<T> {
    for (;;) {
      const reading = (this.current ??= this.start());
      try {
        const value = await reading;
        if (this.current === reading) return value;
      } catch (err) {
        if (this.current === reading) throw err;
      }
      // Superseded while it ran (a failure too): wait for the read that replaced it.
    }
  }

  /** The input changed: the next get() reads again, and a get() waiting now gets that read. */
  invalidate(): void {
    this.current = undefined;
  }

  private start(): Promise<T> {
    const reading: Promise<T> = this.read().then((value) => {
      if (this.current === reading) this.onRead(value);
      return value;
    });
    return reading;
  }
}
