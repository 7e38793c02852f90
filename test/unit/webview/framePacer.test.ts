import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramePacer, type FrameState } from '../../../webview/lib/framePacer';

const VSYNC = 1000 / 60;
const following: FrameState = { firstScreen: false, follow: true, pending: true, newest: null };

/** Runs `ms` of frames every `every` ms from `from`, each adding `lines`; returns their plans. */
function frames(pacer: FramePacer, from: number, ms: number, state: (at: number) => FrameState, lines = 0, every = VSYNC) {
  const plans = [];
  for (let at = from; at < from + ms; at += every) {
    plans.push({ at, ...pacer.plan(at, state(at)) });
    pacer.counted(at, lines);
  }
  return plans;
}

test('the first screen is parsed in one long frame', () => {
  const pacer = new FramePacer();
  assert.deepEqual(pacer.plan(1000, { ...following, firstScreen: true }), { parseMs: 100, draw: true });
});

test('a log that keeps up parses up to 8 ms of every frame and draws every frame', () => {
  const plans = frames(new FramePacer(), 1000, 1000, () => following);
  assert.ok(plans.every((p) => p.draw));
  assert.ok(plans.slice(10).every((p) => p.parseMs === 8), 'once the budget has grown back from the late first frame');
});

test('late frames shrink the budget to 2 ms, and frames on time grow it back', () => {
  const pacer = new FramePacer();
  const late = frames(pacer, 1000, 1000, () => following, 0, 50);
  assert.equal(late.at(-1)!.parseMs, 2);
  const onTime = frames(pacer, 2000, 1000, () => following);
  assert.equal(onTime.at(-1)!.parseMs, 8);
});

test('following a flood, the log draws every 100 ms and the frames between parse for 12 ms', () => {
  const pacer = new FramePacer();
  frames(pacer, 1000, 600, () => following, 1000);
  assert.equal(pacer.flooding, true, 'a thousand lines a frame is a flood');
  const plans = frames(pacer, 1600, 1000, () => following, 1000);
  const draws = plans.filter((p) => p.draw);
  assert.ok(draws.length >= 9 && draws.length <= 11, `${draws.length} draws in a second`);
  assert.ok(draws.every((p) => p.parseMs === 0), 'a frame that draws does not parse');
  assert.ok(plans.filter((p) => !p.draw).every((p) => p.parseMs === 12));
  frames(pacer, 2600, 1100, () => following, 0);
  assert.equal(pacer.flooding, false, 'no lines for a whole half second: the flood is over');
});

test('under the newest output of a flood the log does not read while it comes, then reads at full speed', () => {
  const pacer = new FramePacer();
  frames(pacer, 1000, 600, () => following, 1000);
  // The host sends the newest output every 100 ms until 3000, then the flood ends.
  const covered = (at: number): FrameState => ({ ...following, newest: { at: Math.min(3000, Math.floor(at / 100) * 100), bytesPerSecond: 20_000_000 } });
  const flood = frames(pacer, 1600, 1400, covered, 500);
  assert.ok(flood.every((p) => p.parseMs === 0), 'no reading while the flood comes');
  assert.ok(flood.some((p) => p.draw), 'frames still draw (the newest output) at the flood rate');
  assert.ok(
    flood.every((p) => p.idleUntil === covered(p.at).newest!.at + 500),
    'no frame is needed until the next newest output, or until 500 ms without one',
  );
  const after = frames(pacer, 3500, 500, covered, 500);
  assert.ok(after.every((p) => p.parseMs >= 8), 'quiet for 500 ms: every frame reads, for the whole flood budget');
  assert.ok(after.every((p) => p.idleUntil === undefined), 'and asks for the next frame');
});

test('under the newest output of a slower stream, or before its rate is known, the log reads as fast as a flood allows', () => {
  const pacer = new FramePacer();
  frames(pacer, 1000, 600, () => following, 1000);
  const stream = (bytesPerSecond: number | undefined) => (at: number): FrameState => ({ ...following, newest: { at: Math.floor(at / 100) * 100, bytesPerSecond } });
  const slower = frames(pacer, 1600, 1000, stream(500_000), 500);
  assert.ok(slower.every((p) => p.parseMs > 0 && p.parseMs <= 4), 'half a MB a second: a slice of every frame, so that the log catches up');
  assert.ok(slower.every((p) => p.idleUntil === undefined), 'every frame, without waiting');
  const unknown = frames(pacer, 2600, 1000, stream(undefined), 500);
  assert.ok(unknown.every((p) => p.parseMs === 0), 'a rate not known yet counts as a flood');
});
