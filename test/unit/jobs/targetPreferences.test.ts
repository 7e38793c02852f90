import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TargetPreferences } from '../../../src/host/jobs/targetPreferences';

/** Workspace state as VS Code keeps it: values by key, read back as stored. */
type Memento = ConstructorParameters<typeof TargetPreferences>[0];

function memento(): Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: (key: string, value: unknown) => Promise.resolve(void values.set(key, value)),
  } as Memento;
}

test('confirmed sequences: a digest is remembered once, and only the newest 200 are kept', async () => {
  const preferences = new TargetPreferences(memento());
  assert.equal(preferences.sequenceConfirmed('a'), false);
  await preferences.confirmSequence('a');
  await preferences.confirmSequence('a');
  assert.equal(preferences.sequenceConfirmed('a'), true);
  for (let i = 0; i < 200; i++) await preferences.confirmSequence(`d${i}`);
  assert.equal(preferences.sequenceConfirmed('a'), false, 'the oldest is forgotten');
  assert.equal(preferences.sequenceConfirmed('d0'), true);
  assert.equal(preferences.sequenceConfirmed('d199'), true);
});
