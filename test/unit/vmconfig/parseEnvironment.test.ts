import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ANSIBLE_USER, parseEnvironment } from '../../../src/core/vmconfig/parseEnvironment';

const file = '/work/environments/stage/config.yml';

test('the environment is named after its folder', () => {
  const { environment, problems } = parseEnvironment('vms:\n  a: {host: 10.0.0.1}\n', file);
  assert.equal(environment?.name, 'stage');
  assert.deepEqual(problems, []);
});

test('ansible_user defaults to ubuntu, vars to an empty mapping, numbers as host are strings', () => {
  const { environment } = parseEnvironment('vms:\n  a:\n    host: 10\n', file);
  assert.equal(DEFAULT_ANSIBLE_USER, 'ubuntu');
  assert.deepEqual(environment?.vms, [{ name: 'a', environment: 'stage', host: '10', user: 'ubuntu', vars: {}, file, line: 2 }]);
});

test('secrets, validation and unknown top-level keys are accepted and ignored', () => {
  const text = 'secrets: {vault: x}\nvalidation: [ping]\nextra: 1\nvms:\n  a: {host: h}\n';
  const { environment, problems } = parseEnvironment(text, file);
  assert.deepEqual(problems, []);
  assert.deepEqual(environment?.vms.map((v) => v.name), ['a']);
});

test('lines and columns point at the key in block and flow style, with CRLF and a BOM', () => {
  const text = '\ufeff# comment\r\nvms:\r\n  ok: {host: h}\r\n  bad: {host: [1, 2]}\r\n  worse:\r\n    host: {a: 1}\r\n';
  const { environment, problems } = parseEnvironment(text, file);
  assert.deepEqual(environment?.vms.map((v) => [v.name, v.line]), [['ok', 3]]);
  assert.deepEqual(
    problems.map((p) => [p.message, p.line, p.column]),
    [
      ['VM "bad": host must be an IP address or a host name; found a list.', 4, 9],
      ['VM "worse": host must be an IP address or a host name; found a mapping.', 6, 5],
    ],
  );
});

test('a key whose value repeats another key name is still found at the right place', () => {
  const text = 'vms:\n  host: {host: host}\n  web: {host: 1.2.3.4, ansible_user: [x]}\n';
  const { problems } = parseEnvironment(text, file);
  assert.deepEqual(problems.map((p) => [p.line, p.column]), [[3, 24]]);
});

test('an empty vms is a warning at the key', () => {
  const { environment, problems } = parseEnvironment('template: t\nvms:\n', file);
  assert.deepEqual(environment?.vms, []);
  assert.deepEqual(problems, [{ severity: 'warning', message: 'vms is empty: the environment has no VMs.', file, line: 2, column: 1 }]);
});

test('metadata that is not a mapping, and a template that is not a string, are ignored with a warning', () => {
  const { environment, problems } = parseEnvironment('template: [a]\nmetadata: prod\nvms: {}\n', file);
  assert.equal(environment?.template, undefined);
  assert.deepEqual(problems.map((p) => [p.severity, p.message, p.line]), [
    ['warning', 'template must be a string; found a list. It is ignored.', 1],
    ['warning', 'metadata must be a mapping with description, owner and environment; found the string "prod". It is ignored.', 2],
  ]);
});

test('merge keys share vars; YAML 1.1 dates and booleans-as-words stay strings', () => {
  const text = 'base: &b {tz: UTC}\nvms:\n  a:\n    host: h\n    vars: {<<: *b, since: 2024-01-01, enabled: yes}\n';
  const { environment } = parseEnvironment(text, file);
  assert.deepEqual(environment?.vms[0].vars, { tz: 'UTC', since: '2024-01-01', enabled: 'yes' });
});

test('unsafe YAML tags are refused', () => {
  const { environment, problems } = parseEnvironment('vms: !!js/function "function () {}"\n', file);
  assert.equal(environment, undefined);
  assert.match(problems[0].message, /^Invalid YAML: unknown tag !<tag:yaml.org,2002:js\/function>/);
});
