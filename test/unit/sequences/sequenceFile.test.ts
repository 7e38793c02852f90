import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { assignmentError, targetError } from '../../../src/core/mkcli/names';
import { ROOT } from '../../harness/paths';
import { parseSequences, SEQUENCE_KEYS, STEP_KEYS, stepText } from '../../../src/core/sequences/sequenceFile';

const FILE = '/ws/.vscode/vm-orchestrator.json';

test('named sequences are read with their steps, arguments, VMs and lines; comments and trailing commas are fine', () => {
  const text = `{
  // kept by the team
  "sequences": [
    { "name": "release", "description": "build then ship", "steps": [
      { "alias": "web", "target": "build" },
      { "alias": "web", "target": "deploy", "args": ["ENV=prod", "TAG=a b"], "vm": "prod/web-1" },
    ] },
    { "name": "check", "steps": [{ "alias": "api", "target": "test" }] }
  ]
}`;
  const { sequences, problems } = parseSequences(text, FILE);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    sequences.map((s) => [s.name, s.line, s.description]),
    [
      ['release', 4, 'build then ship'],
      ['check', 8, undefined],
    ],
  );
  assert.deepEqual(sequences[0].steps[1], { alias: 'web', target: 'deploy', args: ['ENV=prod', 'TAG=a b'], vm: 'prod/web-1' });
  assert.equal(stepText(sequences[0].steps[1]), "web deploy ENV=prod 'TAG=a b' on prod/web-1");
});

test('a broken sequence is an error at its line and left out; the others are kept', () => {
  const text = `{
  "sequences": [
    { "name": "evil", "steps": [{ "alias": "web", "target": "build", "args": ["-f", "/tmp/x.mk"] }] },
    { "name": "shell", "steps": [{ "alias": "web", "target": "build", "args": ["SHELL=/tmp/sh"] }] },
    { "name": "goal", "steps": [{ "alias": "web", "target": "-n" }] },
    { "name": "empty", "steps": [] },
    { "name": "ok", "steps": [{ "alias": "web", "target": "build", "typo": 1 }] },
    { "name": "ok", "steps": [{ "alias": "web", "target": "test" }] },
    { "steps": [{ "alias": "web", "target": "x" }] },
    { "name": "badvm", "steps": [{ "alias": "web", "target": "x", "vm": "nowhere" }] }
  ]
}`;
  const { sequences, problems } = parseSequences(text, FILE);
  assert.deepEqual(sequences.map((s) => s.name), ['ok']);
  const seen = problems.map((p) => [p.severity, p.line, p.message]);
  assert.deepEqual(
    seen.map(([severity, line]) => [severity, line]),
    [
      ['error', 3],
      ['error', 4],
      ['error', 5],
      ['error', 6],
      ['warning', 7],
      ['error', 8],
      ['error', 9],
      ['error', 10],
    ],
  );
  assert.match(String(seen[0][2]), /Sequence "evil", step 1: Expected VAR=value, got "-f": options and other targets are not taken from a workspace file/);
  assert.match(String(seen[1][2]), /SHELL changes how make runs/);
  assert.match(String(seen[4][2]), /Unknown property "typo" of a step/);
  assert.match(String(seen[5][2]), /A second sequence named "ok"/);
  assert.ok(problems.every((p) => p.file === FILE));
});

test('invalid JSON, a wrong root and no sequences at all', () => {
  const broken = parseSequences('{\n  "sequences": [\n    { "name": "x", }\n  ]\n', FILE);
  assert.equal(broken.sequences.length, 0);
  assert.equal(broken.problems[0].severity, 'error');
  assert.match(broken.problems[0].message, /^Not valid JSON: /);
  assert.equal(broken.problems[0].line, 5);
  assert.match(parseSequences('[]', FILE).problems[0].message, /Expected an object/);
  assert.match(parseSequences('{"sequences": {}}', FILE).problems[0].message, /must be a list/);
  assert.deepEqual(parseSequences('{}', FILE), { sequences: [], problems: [] });
});

test('the contributed JSON schema declares exactly the keys the reader takes', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'media', 'vm-orchestrator.schema.json'), 'utf8'));
  const sequence = schema.properties.sequences.items;
  assert.deepEqual(Object.keys(sequence.properties).sort(), [...SEQUENCE_KEYS].sort());
  assert.deepEqual(Object.keys(sequence.properties.steps.items.properties).sort(), [...STEP_KEYS].sort());
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '.vscode/vm-orchestrator.json', url: './media/vm-orchestrator.schema.json' }]);
});

test('whatever the file holds, reading never throws, and every step kept is one a click could run', () => {
  const word = fc.oneof(fc.constantFrom('web', 'build', '-f', 'SHELL=x', 'A=1', 'MAKEFLAGS=-n', 'a:b', 'env/vm', ''), fc.string({ maxLength: 12 }));
  const step = fc.record({ alias: word, target: word, args: fc.array(word, { maxLength: 3 }), vm: fc.option(word, { nil: undefined }) }, { requiredKeys: [] });
  const sequence = fc.record({ name: fc.oneof(word, fc.integer()), steps: fc.oneof(fc.array(step, { maxLength: 3 }), fc.anything()) }, { requiredKeys: [] });
  const file = fc.oneof(
    fc.record({ sequences: fc.oneof(fc.array(sequence, { maxLength: 4 }), fc.anything()) }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
  );
  fc.assert(
    fc.property(file, (text) => {
      const { sequences, problems } = parseSequences(text, FILE);
      for (const p of problems) assert.ok(p.line === undefined || p.line >= 1, JSON.stringify(p));
      for (const s of sequences) {
        assert.ok(s.name.length > 0 && s.steps.length > 0);
        for (const st of s.steps) {
          assert.equal(targetError(st.target), undefined);
          assert.ok(st.args.every((a) => assignmentError(a) === undefined), JSON.stringify(st.args));
        }
      }
    }),
    { numRuns: 500 },
  );
});
