// How a live log spends its animation frames: how long each one parses queued output, and
// whether it draws. A flood of output must neither freeze the page nor take the CPU that the
// job and the host need; every MB the page reads costs the page, its transport and the host.

/**
 * Parsing gets up to this much of each frame; rendering and the browser get the rest. When
 * frames come late (the machine is busy) the budget shrinks, down to a minimum that still
 * makes progress: fewer characters are acknowledged, so the host holds more back.
 */
const MAX_BUDGET_MS = 8;
const MIN_BUDGET_MS = 2;
/**
 * Until a job's first screen is drawn nothing on screen has to keep moving: the tail a console
 * opens with is parsed in one frame, not spread over a dozen frames of a few ms each, which on
 * a busy machine come tens of ms apart.
 */
const FIRST_SCREEN_BUDGET_MS = 100;
/**
 * While following a flood, frames that do not draw parse for this much longer than the budget:
 * nothing else runs in them (at most 12 ms, which leaves a 16.7 ms frame room for the browser).
 */
const FLOOD_BUDGET_FACTOR = 1.5;
/**
 * While following a flood the log is drawn at most this often, and the frames between only
 * parse: lines scroll by too fast to read anyway, and each draw costs the page a layout and a
 * paint. Every draw shows the tail as it is then, so a console that fell behind jumps to it.
 */
const FLOOD_DRAW_INTERVAL_MS = 100;
/**
 * While the newest output covers the log (the host says it is far behind), the log is not drawn.
 * Under a flood, output coming at FLOOD_BYTES_PER_SECOND or more (or at a rate not known yet),
 * it does not read either: the screen already keeps up, and the reading waits until the flood is
 * over. Reading a slice every frame made a flooding job on two CPUs take half as long again. A
 * slice every 250 ms still had the page read several MB while the job ran, each paid for by the
 * page, its transport and the host; without it Chromium takes about half the CPU it took then
 * (0.9–1.2 s against 1.6–2.0 s while 100 MB come), and the log could not catch up at that pace
 * anyway. Nor does it ask for frames meanwhile, only for one when the next newest output comes
 * or the quiet time is up: a frame every vsync that does nothing still costs the browser a
 * compositor frame.
 *
 * Under a slower stream it reads for COVERED_BUDGET_MS (at least a chunk) a frame, so that it
 * catches up. The output has stopped when no newest output came for NEWEST_QUIET_MS (the host
 * sends it every 200 ms while output comes); then the log reads at full speed until it has
 * caught up. Scrolling away from the end, or a query in the find bar, uncovers the log, which then
 * reads as it always does.
 */
const COVERED_BUDGET_MS = 4;
const FLOOD_BYTES_PER_SECOND = 1024 * 1024;
const NEWEST_QUIET_MS = 500;
/** More lines a second than this, over half a second, is a flood. */
const FLOOD_LINES_PER_SECOND = 50;
const RATE_WINDOW_MS = 500;

export interface FrameState {
  /** Nothing of the current job has been drawn yet. */
  firstScreen: boolean;
  /** The view follows the end of the output. */
  follow: boolean;
  /** Output waits to be parsed. */
  pending: boolean;
  /** The newest output covering the log, or null when it does not cover it: when it last came, and the rate the host saw. */
  newest: { at: number; bytesPerSecond: number | undefined } | null;
}

export interface FramePlan {
  /** How long this frame parses, or 0 when it does not. */
  parseMs: number;
  draw: boolean;
  /** Nothing to do in frames before this time (ms): the next frame can wait for it, or for new output. */
  idleUntil?: number;
}

export class FramePacer {
  /** Output is being parsed faster than a person reads it (as of the last half second). */
  flooding = false;
  private budget = MAX_BUDGET_MS;
  private lastFrameStart = 0;
  private lastDrawAt = 0;
  private rateStart = 0;
  private rateLines = 0;

  /** What the frame starting at `start` (ms) does. */
  plan(start: number, state: FrameState): FramePlan {
    const interval = start - this.lastFrameStart;
    this.lastFrameStart = start;
    if (interval > 25) this.budget = Math.max(MIN_BUDGET_MS, this.budget * 0.7);
    else if (interval < 20) this.budget = Math.min(MAX_BUDGET_MS, this.budget + 0.5);
    // While output floods in and the view follows it, a frame either parses or draws, and it
    // draws at a bounded rate.
    const bounded = state.follow && this.flooding && state.pending;
    const draw = !bounded || start - this.lastDrawAt >= FLOOD_DRAW_INTERVAL_MS;
    if (draw) this.lastDrawAt = start;
    const { newest } = state;
    const covered = newest !== null;
    if (state.firstScreen) return { parseMs: FIRST_SCREEN_BUDGET_MS, draw };
    // Under the newest output a frame only reads: not at all under a flood, a little while a
    // slower stream comes, and at full speed once it has stopped.
    if (covered && start - newest.at < NEWEST_QUIET_MS) {
      const flood = newest.bytesPerSecond === undefined || newest.bytesPerSecond >= FLOOD_BYTES_PER_SECOND;
      return flood ? { parseMs: 0, draw, idleUntil: newest.at + NEWEST_QUIET_MS } : { parseMs: Math.min(this.budget, COVERED_BUDGET_MS), draw };
    }
    if (!bounded) return { parseMs: this.budget, draw };
    return { parseMs: draw && !covered ? 0 : this.budget * FLOOD_BUDGET_FACTOR, draw };
  }

  /** Counts the lines a frame added, for `flooding`. */
  counted(start: number, lines: number): void {
    this.rateLines += lines;
    if (start - this.rateStart < RATE_WINDOW_MS) return;
    this.flooding = (this.rateLines * 1000) / (start - this.rateStart) > FLOOD_LINES_PER_SECOND;
    this.rateStart = start;
    this.rateLines = 0;
  }
}
