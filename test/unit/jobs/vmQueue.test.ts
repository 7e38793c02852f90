import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VmQueue } from '../../../src/core/jobs/vmQueue';

test('one run per VM: the second waits, begins when the first ends, and other VMs do not wait', () => {
  const began: string[] = [];
  const queue = new VmQueue(() => 1);
  assert.equal(queue.enter('lab/a', 'j1', () => began.push('j1')), true);
  assert.equal(queue.hasRoom('lab/a'), false);
  assert.equal(queue.enter('lab/a', 'j2', () => began.push('j2')), false);
  assert.equal(queue.enter('lab/a', 'j3', () => began.push('j3')), false);
  assert.equal(queue.enter('lab/b', 'k1', () => began.push('k1')), true);
  assert.deepEqual([queue.ahead('j2'), queue.ahead('j3'), queue.ahead('j1')], [0, 1, undefined]);
  assert.deepEqual(began, ['j1', 'k1']);
  assert.equal(queue.leave('j1'), false, 'j1 was running');
  assert.deepEqual(began, ['j1', 'k1', 'j2']);
  // Canceled while it waits: it leaves the line and never begins.
  assert.equal(queue.leave('j3'), true);
  assert.equal(queue.leave('j2'), false);
  assert.deepEqual(began, ['j1', 'k1', 'j2']);
  assert.equal(queue.hasRoom('lab/a'), true);
});

test('a raised limit lets the waiting runs begin at the next end; a nonsense limit counts as 1', () => {
  let limit = 1;
  const began: string[] = [];
  const queue = new VmQueue(() => limit);
  for (const id of ['a', 'b', 'c', 'd']) queue.enter('vm', id, () => began.push(id));
  limit = 3;
  queue.leave('a');
  assert.deepEqual(began, ['a', 'b', 'c', 'd']);
  const odd = new VmQueue(() => Number.NaN);
  assert.equal(odd.enter('vm', 'x', () => undefined), true);
  assert.equal(odd.enter('vm', 'y', () => undefined), false);
});

test('a run that ends as it begins (it could not start) lets the next one begin', () => {
  const began: string[] = [];
  const queue = new VmQueue(() => 1);
  queue.enter('vm', 'a', () => began.push('a'));
  queue.enter('vm', 'b', () => {
    began.push('b');
    queue.leave('b');
  });
  queue.enter('vm', 'c', () => began.push('c'));
  queue.leave('a');
  assert.deepEqual(began, ['a', 'b', 'c']);
});

test('whatever runs enter and leave, no VM holds more than its limit, runs begin in order, once each, and none is left waiting with room free', () => {
  const action = fc.oneof(
    fc.record({ type: fc.constant('enter' as const), vm: fc.constantFrom('a', 'b') }),
    fc.record({ type: fc.constant('leave' as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3 }), fc.array(action, { maxLength: 60 }), (limit, actions) => {
      const queue = new VmQueue(() => limit);
      const holding = new Map<string, Set<string>>([['a', new Set()], ['b', new Set()]]);
      const entered = new Map<string, string[]>([['a', []], ['b', []]]);
      const began = new Map<string, string[]>([['a', []], ['b', []]]);
      const present: string[] = [];
      let n = 0;
      for (const step of actions) {
        if (step.type === 'enter') {
          const id = `j${n++}`;
          present.push(id);
          entered.get(step.vm)!.push(id);
          queue.enter(step.vm, id, () => {
            assert.ok(!began.get(step.vm)!.includes(id), `${id} begins once`);
            began.get(step.vm)!.push(id);
            holding.get(step.vm)!.add(id);
          });
        } else if (present.length > 0) {
          const [id] = present.splice(step.pick % present.length, 1);
          queue.leave(id);
          for (const held of holding.values()) held.delete(id);
        }
        for (const vm of ['a', 'b']) {
          const held = holding.get(vm)!.size;
          assert.ok(held <= limit, `${vm} holds ${held} > ${limit}`);
          const waiting = entered.get(vm)!.filter((id) => present.includes(id) && !began.get(vm)!.includes(id));
          assert.ok(waiting.length === 0 || held === limit, `${vm} has room and ${waiting.length} waiting`);
          // Runs that began did so in the order they entered.
          const order = entered.get(vm)!;
          const positions = began.get(vm)!.map((id) => order.indexOf(id));
          assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
        }
      }
    }),
  );
});
