import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as immediate } from 'node:timers/promises';
import { FairTurns } from '../../../src/server/fairTurns';

/** A read that records when it starts and ends when `release()` is called. */
function gate(log: string[], name: string): { read: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    read: async () => {
      log.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

test('at most `atOnce` reads run; the others wait their turn', async () => {
  const turns = new FairTurns(2);
  const log: string[] = [];
  const reads = ['a1', 'a2', 'a3', 'a4'].map((n) => gate(log, n));
  const client = {};
  const answers = reads.map((r) => turns.run(client, r.read));
  await immediate();
  assert.deepEqual(log, ['a1', 'a2']);
  reads[0].release();
  await immediate();
  await immediate();
  assert.deepEqual(log, ['a1', 'a2', 'a3']);
  for (const r of reads) r.release();
  assert.deepEqual(await Promise.all(answers), ['a1', 'a2', 'a3', 'a4']);
});

test('clients take turns: one asking for many reads delays another by at most one of them', async () => {
  const turns = new FairTurns(1);
  const log: string[] = [];
  const flood = {};
  const other = {};
  const all: Promise<string>[] = [];
  for (let i = 1; i <= 5; i++) all.push(turns.run(flood, () => Promise.resolve(void log.push(`a${i}`)).then(() => `a${i}`)));
  all.push(turns.run(other, () => Promise.resolve(void log.push('b1')).then(() => 'b1')));
  await Promise.all(all);
  assert.deepEqual(log, ['a1', 'a2', 'b1', 'a3', 'a4', 'a5']);
});

test('a read is handed its turn after pending I/O and timers, not in the same tick as the last read', async () => {
  const turns = new FairTurns(1);
  const log: string[] = [];
  const client = {};
  const all = ['a1', 'a2', 'a3'].map((n) => turns.run(client, async () => void log.push(n)));
  setImmediate(() => log.push('io'));
  await Promise.all(all);
  assert.deepEqual(log, ['a1', 'io', 'a2', 'a3']);
});

test('a failing read gives up its place and its caller gets the error', async () => {
  const turns = new FairTurns(1);
  const client = {};
  const failing = turns.run(client, () => Promise.reject(new Error('no database')));
  const next = turns.run(client, () => Promise.resolve('next'));
  await assert.rejects(failing, /no database/);
  assert.equal(await next, 'next');
  // Every place was given back: reads run at once again.
  const log: string[] = [];
  await turns.run({}, async () => void log.push('free'));
  assert.deepEqual(log, ['free']);
});
