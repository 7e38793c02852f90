import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Problem } from '../../../src/core/problem';
import { loadEnvironments } from '../../../src/core/vmconfig/loadEnvironments';
import { parseEnvironment } from '../../../src/core/vmconfig/parseEnvironment';
import { HOSTILE_FILES, within } from '../util/hostileFiles';
import { callAs, unprivilegedInCheckout } from '../../harness/unprivileged';

const reader = unprivilegedInCheckout();
const LOADER = path.resolve(__dirname, '../../../src/core/vmconfig/loadEnvironments.ts');

// Broken vm-config inputs: each must give a problem that says what is wrong, with the line and
// column where there is one, keep the VMs that are fine, and never throw.

const broken = path.resolve(__dirname, '../../fixtures/vmconfig/broken/environments');

interface Expected {
  severity: Problem['severity'];
  message: string | RegExp;
  line?: number;
  column?: number;
}

/** case folder → the problems expected (in order) and the VMs that still load (undefined: no environment). */
const corpus: Record<string, { problems: Expected[]; vms?: string[] }> = {
  'unclosed-quote': {
    problems: [{ severity: 'error', message: 'Invalid YAML: unexpected end of the stream within a double quoted scalar.', line: 5, column: 1 }],
  },
  'tab-indent': {
    problems: [{ severity: 'error', message: 'Invalid YAML: tab characters must not be used in indentation.', line: 2, column: 1 }],
  },
  'duplicate-key': {
    problems: [{ severity: 'error', message: 'Invalid YAML: duplicated mapping key "web".', line: 4, column: 3 }],
  },
  'vms-list': {
    problems: [{ severity: 'error', message: /^vms must be a mapping of VM names to settings; found a list\. Write each VM as/, line: 1, column: 1 }],
    vms: [],
  },
  'vm-without-host': {
    problems: [{ severity: 'error', message: 'VM "worker" has no host.', line: 4, column: 3 }],
    vms: ['web'],
  },
  'host-mapping': {
    problems: [{ severity: 'error', message: 'VM "web": host must be an IP address or a host name; found a mapping.', line: 3, column: 5 }],
    vms: ['ok'],
  },
  'ansible-user-number': {
    problems: [{ severity: 'warning', message: 'VM "web": ansible_user is the number 1000; quote it ("1000") to make it a user name.', line: 4, column: 5 }],
    vms: ['web'],
  },
  'ansible-user-list': {
    problems: [{ severity: 'error', message: 'VM "web": ansible_user must be a user name; found a list.', line: 4, column: 5 }],
    vms: [],
  },
  'empty-file': {
    problems: [{ severity: 'warning', message: 'The file is empty: the environment has no VMs.' }],
    vms: [],
  },
  'top-level-list': {
    problems: [{ severity: 'error', message: 'The top level must be a mapping with template, metadata and vms; found a list.', line: 1, column: 1 }],
  },
  'multi-document': {
    problems: [{ severity: 'error', message: 'Invalid YAML: expected a single document in the stream, but found more.', line: 3, column: 1 }],
  },
  'vars-not-mapping': {
    problems: [{ severity: 'warning', message: 'VM "web": vars must be a mapping; found a list. It is ignored.', line: 4, column: 5 }],
    vms: ['web'],
  },
  'host-option-injection': {
    problems: [
      { severity: 'error', message: 'VM "web": host "-oProxyCommand=touch /tmp/pwned" starts with "-", which ssh would take for an option.', line: 3, column: 5 },
      { severity: 'error', message: 'VM "db": host "admin@10.0.0.2" has "@", which separates the user from the host. Put the user in ansible_user.', line: 5, column: 5 },
    ],
    vms: [],
  },
  'metadata-mismatch': {
    problems: [{ severity: 'warning', message: 'metadata.environment is "production" but the folder is "metadata-mismatch"; the folder name is used.', line: 2, column: 3 }],
    vms: ['web'],
  },
  'unknown-alias': {
    problems: [{ severity: 'error', message: 'Invalid YAML: unidentified alias "dflt".', line: 4, column: 14 }],
  },
  'vm-scalar': {
    problems: [{ severity: 'error', message: 'VM "web" must be a mapping with host, ansible_user and vars; found the string "10.0.0.1".', line: 2, column: 3 }],
    vms: ['db'],
  },
  'vms-missing': {
    problems: [{ severity: 'warning', message: 'The file has no vms mapping: the environment has no VMs.' }],
    vms: [],
  },
  'yaml-bomb': {
    problems: [{ severity: 'error', message: "The file's aliases expand to more than 1,000,000 values; it is not read." }],
  },
};

function assertProblems(actual: Problem[], expected: Expected[], file: string): void {
  assert.equal(actual.length, expected.length, `problems: ${JSON.stringify(actual, null, 2)}`);
  expected.forEach((want, i) => {
    const got = actual[i];
    assert.equal(got.severity, want.severity);
    if (typeof want.message === 'string') assert.equal(got.message, want.message);
    else assert.match(got.message, want.message);
    assert.equal(got.file, file);
    assert.equal(got.line, want.line, `line of "${got.message}"`);
    assert.equal(got.column, want.column, `column of "${got.message}"`);
  });
}

describe('broken vm-config files', () => {
  for (const [name, want] of Object.entries(corpus)) {
    test(name, async () => {
      const file = path.join(broken, name, 'config.yml');
      const { environments, problems } = await loadEnvironments([file]);
      assertProblems(problems, want.problems, file);
      if (want.vms === undefined) assert.equal(environments.length, 0);
      else assert.deepEqual(environments[0].vms.map((v) => v.name), want.vms);
    });
  }

  test('every fixture folder is in the corpus', async () => {
    assert.deepEqual((await fs.readdir(broken)).sort(), Object.keys(corpus).sort());
  });
});

describe('broken vm-config files made on the fly', () => {
  let dir: string;
  const envFile = (env: string) => path.join(dir, 'environments', env, 'config.yml');
  const write = async (env: string, content: string | Buffer) => {
    await fs.mkdir(path.dirname(envFile(env)), { recursive: true });
    await fs.writeFile(envFile(env), content);
    return envFile(env);
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmconfig-broken-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('a 2 MiB file is refused before it is read', async () => {
    const file = await write('huge', 'vms:\n' + '#'.repeat(2 * 1024 * 1024) + '\n');
    const { environments, problems } = await loadEnvironments([file]);
    assert.equal(environments.length, 0);
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file is 2 MiB, over the 1 MiB limit.', file }]);
  });

  test('the size cap also holds for text given to parseEnvironment', () => {
    const { environment, problems } = parseEnvironment('x'.repeat(1024 * 1024 + 1), '/e/environments/big/config.yml');
    assert.equal(environment, undefined);
    assert.equal(problems[0].message, 'The file is 1 MiB; environment files over 1 MiB are not read.');
  });

  test('binary garbage is reported with the first NUL byte', async () => {
    const bytes = Buffer.from([0x76, 0x6d, 0x73, 0x3a, 0x0a, 0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x01]);
    const file = await write('binary', bytes);
    const { problems } = await loadEnvironments([file]);
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file contains NUL bytes: it is binary, not YAML.', file, line: 2, column: 5 }]);
  });

  test('control characters that are not NUL are a YAML error with a position', async () => {
    const file = await write('control', 'vms:\n  web:\n    host: 10.0.0.1\x07\n');
    const { problems } = await loadEnvironments([file]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].message, 'Invalid YAML: the stream contains non-printable characters.');
    assert.equal(problems[0].line, 3);
  });

  test('nesting deeper than js-yaml allows is an error, not a stack overflow', async () => {
    const file = await write('deep', 'vms: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n');
    const { problems } = await loadEnvironments([file]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].message, 'Invalid YAML: nesting exceeded maxDepth (100).');
    assert.equal(problems[0].line, 1);
  });

  test('a folder named config.yml', async () => {
    const file = envFile('folder');
    await fs.mkdir(file, { recursive: true });
    const { problems } = await loadEnvironments([file]);
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file is a folder, not a regular file.', file }]);
  });

  test('a dangling link and a link loop', async () => {
    const dangling = envFile('dangling');
    const loop = envFile('loop');
    await fs.mkdir(path.dirname(dangling), { recursive: true });
    await fs.mkdir(path.dirname(loop), { recursive: true });
    await fs.symlink(path.join(dir, 'nowhere.yml'), dangling);
    await fs.symlink(loop, loop);
    const ok = await write('ok', 'vms:\n  web: {host: 10.0.0.1}\n');
    const { environments, problems } = await loadEnvironments([dangling, loop, ok]);
    assert.deepEqual(environments.map((e) => e.name), ['ok'], 'the readable file still loads');
    assert.deepEqual(problems, [
      { severity: 'error', message: 'The file does not exist (or is a link to nothing).', file: dangling },
      { severity: 'error', message: 'The file cannot be read: too many levels of symbolic links.', file: loop },
    ]);
  });

  // Read by a user that file modes apply to (root reads any file), whose files these are.
  test('an unreadable file', { skip: typeof reader === 'string' && reader }, async () => {
    if (typeof reader === 'string') return;
    const file = await write('secret', 'vms: {}\n');
    await fs.chmod(file, 0o000);
    reader.own(dir);
    const { problems } = await callAs<{ problems: Problem[] }>(reader, LOADER, 'loadEnvironments', [[file]]);
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file cannot be read: permission denied.', file }]);
  });
});

describe('hostile environment files', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmconfig-hostile-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const [i, hostile] of HOSTILE_FILES.entries()) {
    test(`a config.yml that is ${hostile.name} is a problem at once`, async () => {
      const file = path.join(dir, `env-${i}`, 'config.yml');
      await fs.mkdir(path.dirname(file));
      hostile.make(file);
      const { environments, problems } = await within(2000, loadEnvironments([file]));
      assert.equal(environments.length, 0);
      assert.equal(problems.length, 1);
      assert.equal(problems[0].file, file);
      assert.match(/^The file (.*)\.$/.exec(problems[0].message)?.[1] ?? problems[0].message, hostile.detail);
    });
  }
});

// Hosts and users that ssh must never see: each VM is a problem at its own line naming the
// field; the good VM still loads.
describe('hostile hosts and users', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmconfig-hostile-hosts-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('shell metacharacters, whitespace, newlines and invalid UTF-8 are refused with the file and line', async () => {
    const file = path.join(dir, 'environments', 'evil', 'config.yml');
    await fs.mkdir(path.dirname(file), { recursive: true });
    const text = Buffer.concat([
      Buffer.from(
        [
          'vms:',
          '  semi: {host: "web;touch x"}',
          '  tick: {host: "web`id`"}',
          '  subst: {host: "$(id)"}',
          '  space: {host: "my host"}',
          '  newline: {host: "web\\nid"}',
          '  user: {host: 10.0.0.1, ansible_user: "me;id"}',
          '  option-user: {host: 10.0.0.1, ansible_user: "-oProxyCommand=id"}',
          '  ipv6: {host: "fe80::1%eth0", ansible_user: deploy}',
          '  bytes: {host: "we',
        ].join('\n'),
      ),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b"}\n'),
    ]);
    await fs.writeFile(file, text);
    const { environments, problems } = await loadEnvironments([file]);
    assert.deepEqual(environments[0].vms.map((v) => `${v.user}@${v.host}`), ['deploy@fe80::1%eth0']);
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.message]),
      [
        [file, 2, 'VM "semi": host "web;touch x" has ";", a shell metacharacter.'],
        [file, 3, 'VM "tick": host "web`id`" has "`", a shell metacharacter.'],
        [file, 4, 'VM "subst": host "$(id)" has "$", a shell metacharacter.'],
        [file, 5, 'VM "space": host "my host" has whitespace (U+0020).'],
        [file, 6, 'VM "newline": host "web\\nid" has a control character (U+000A).'],
        [file, 7, 'VM "user": ansible_user "me;id" has ";", a shell metacharacter.'],
        [file, 8, 'VM "option-user": ansible_user "-oProxyCommand=id" starts with "-", which ssh would take for an option.'],
        [file, 10, 'VM "bytes": host "we\ufffd\ufffdb" has U+FFFD, which stands for bytes that are not valid UTF-8.'],
      ],
    );
  });
});
