import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Problem } from '../../../src/core/problem';
import { loadSshConfig, MAX_INCLUDE_DEPTH } from '../../../src/core/ssh/loadSshConfig';
import { resolveDestination } from '../../../src/core/ssh/resolveDestination';
import { HOSTILE_FILES, within } from '../util/hostileFiles';
import { callAs, unprivilegedInCheckout } from '../../harness/unprivileged';

const reader = unprivilegedInCheckout();
const LOADER = path.resolve(__dirname, '../../../src/core/ssh/loadSshConfig.ts');

// Broken SSH configs: each gives a problem with its file and line, the rest of the config still
// loads, and nothing throws. Each case folder is the home folder; its config is .ssh/config.

const broken = path.resolve(__dirname, '../../fixtures/ssh/broken');

interface Expected {
  severity: Problem['severity'];
  message: string;
  /** Relative to the case folder. */
  file: string;
  line?: number;
}

const corpus: Record<string, { problems: Expected[]; hosts: string[] }> = {
  'include-missing': {
    problems: [{ severity: 'warning', message: 'Include "~/.ssh/work.conf": <home>/.ssh/work.conf does not exist; ssh skips it.', file: '.ssh/config', line: 1 }],
    hosts: ['web'],
  },
  'include-cycle': {
    problems: [
      {
        severity: 'error',
        message: 'Include "config" reads <home>/.ssh/config again, which is already being read: an Include cycle (ssh stops with "Too many recursive configuration includes").',
        file: '.ssh/loop.conf',
        line: 2,
      },
    ],
    hosts: ['b', 'a'],
  },
  'include-self': {
    problems: [
      {
        severity: 'error',
        message: 'Include "config" reads <home>/.ssh/config again, which is already being read: an Include cycle (ssh stops with "Too many recursive configuration includes").',
        file: '.ssh/config',
        line: 1,
      },
    ],
    hosts: ['web'],
  },
  'include-directory': {
    problems: [
      { severity: 'warning', message: 'Include "conf.d" names the folder <home>/.ssh/conf.d; ssh reads nothing from a folder (write "conf.d/*").', file: '.ssh/config', line: 1 },
    ],
    hosts: ['web'],
  },
  'unknown-option': {
    problems: [
      { severity: 'warning', message: 'Unknown option "Bogus": ssh stops with "Bad configuration option" unless IgnoreUnknown lists it.', file: '.ssh/config', line: 2 },
      { severity: 'warning', message: 'Unknown option "{{{": ssh stops with "Bad configuration option" unless IgnoreUnknown lists it.', file: '.ssh/config', line: 6 },
    ],
    hosts: ['web', 'mac'],
  },
  'host-no-pattern': {
    problems: [{ severity: 'error', message: '"Host" has no value; ssh stops with "no argument after keyword".', file: '.ssh/config', line: 1 }],
    hosts: ['web'],
  },
  'unclosed-quote': {
    problems: [{ severity: 'error', message: '"IdentityFile" has an unclosed quote; ssh stops with "invalid quotes".', file: '.ssh/config', line: 2 }],
    hosts: ['web'],
  },
  'match-missing-value': {
    problems: [
      { severity: 'error', message: 'Match criterion "host" needs a value; ssh stops with "Missing Match criteria".', file: '.ssh/config', line: 1 },
      { severity: 'warning', message: 'Unknown Match criterion "weird"; ssh stops with "Unsupported Match attribute". The block is ignored here.', file: '.ssh/config', line: 3 },
    ],
    hosts: ['web'],
  },
  'bad-port': {
    problems: [
      { severity: 'error', message: 'Port "ssh" is not a number from 1 to 65535.', file: '.ssh/config', line: 2 },
      { severity: 'error', message: 'Port "70000" is not a number from 1 to 65535.', file: '.ssh/config', line: 4 },
    ],
    hosts: ['web', 'db'],
  },
  'no-value': {
    problems: [
      { severity: 'error', message: '"HostName" has no value; ssh stops with "no argument after keyword".', file: '.ssh/config', line: 2 },
      { severity: 'error', message: '"User" has no value; ssh stops with "no argument after keyword".', file: '.ssh/config', line: 3 },
    ],
    hosts: ['web'],
  },
  'comma-pattern': {
    problems: [
      {
        severity: 'warning',
        message: 'Host pattern "web-1,web-2" has a comma: ssh separates Host patterns with spaces, so it only matches the name "web-1,web-2".',
        file: '.ssh/config',
        line: 1,
      },
    ],
    hosts: ['web-1,web-2'],
  },
};

function assertProblems(actual: Problem[], expected: Expected[], home: string): void {
  const shown = actual.map((p) => ({ ...p, message: p.message.split(home).join('<home>'), file: path.relative(home, p.file) }));
  assert.deepEqual(shown, expected);
}

describe('broken SSH configs', () => {
  for (const [name, want] of Object.entries(corpus)) {
    test(name, async () => {
      const home = path.join(broken, name);
      const { config, problems } = await loadSshConfig(path.join(home, '.ssh/config'), { home });
      assertProblems(problems, want.problems, home);
      assert.deepEqual(config.hosts.map((h) => h.patterns.join(' ')), want.hosts);
    });
  }

  test('every fixture folder is in the corpus', async () => {
    assert.deepEqual((await fs.readdir(broken)).sort(), Object.keys(corpus).sort());
  });

  test('a cycle does not stop the options before it from applying', async () => {
    const home = path.join(broken, 'include-cycle');
    const { config } = await loadSshConfig(path.join(home, '.ssh/config'), { home });
    const dest = resolveDestination({ name: 'b', host: '10.0.0.2', user: 'ubuntu' }, config);
    assert.equal(dest.user, 'b');
    assert.equal(dest.destination, 'b');
  });
});

describe('broken SSH configs made on the fly', () => {
  let home: string;
  const ssh = (rel: string) => path.join(home, '.ssh', rel);
  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-broken-'));
    await fs.mkdir(path.join(home, '.ssh'));
  });
  after(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  test('a missing ~/.ssh/config is an empty config, as ssh treats it', async () => {
    const { config, problems } = await loadSshConfig(ssh('nope'), { home });
    assert.deepEqual(problems, []);
    assert.deepEqual(config.hosts, []);
    assert.deepEqual(resolveDestination({ name: 'web', host: '10.0.0.1', user: 'ubuntu' }, config).destination, 'ubuntu@10.0.0.1');
  });

  test('a config path starting with ~/ is under the home folder', async () => {
    await fs.writeFile(ssh('tilde'), 'Host t\n');
    const { config, problems } = await loadSshConfig('~/.ssh/tilde', { home });
    assert.deepEqual(problems, []);
    assert.equal(config.file, ssh('tilde'));
    assert.deepEqual(config.hosts.map((h) => h.patterns), [['t']]);
  });

  test('binary garbage', async () => {
    await fs.writeFile(ssh('binary'), Buffer.from([0x48, 0x6f, 0x73, 0x74, 0x00, 0xff, 0xfe, 0x0a]));
    const { problems } = await loadSshConfig(ssh('binary'), { home });
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file contains NUL bytes: it is binary, not an SSH config.', file: ssh('binary') }]);
  });

  test('a 2 MiB config', async () => {
    await fs.writeFile(ssh('huge'), '# x\n'.repeat(512 * 1024));
    const { problems } = await loadSshConfig(ssh('huge'), { home });
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file is 2 MiB, over the 1 MiB limit.', file: ssh('huge') }]);
  });

  test('the config is a folder', async () => {
    await fs.mkdir(ssh('folder'));
    const { problems } = await loadSshConfig(ssh('folder'), { home });
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file is a folder, not a regular file.', file: ssh('folder') }]);
  });

  test('an included file that cannot be read is reported at the Include line', async () => {
    await fs.symlink(ssh('loop'), ssh('loop'));
    await fs.writeFile(ssh('with-loop'), 'Host web\n  User deploy\nInclude loop\n');
    const { config, problems } = await loadSshConfig(ssh('with-loop'), { home });
    assert.deepEqual(problems, [
      { severity: 'error', message: `Include "loop": cannot read ${ssh('loop')}. The file cannot be read: too many levels of symbolic links.`, file: ssh('with-loop'), line: 3 },
    ]);
    assert.equal(config.hosts.length, 1);
  });

  test(`Include nested deeper than ${MAX_INCLUDE_DEPTH}`, async () => {
    for (let i = 0; i < 20; i++) await fs.writeFile(ssh(`deep${i}`), `Include deep${i + 1}\nHost h${i}\n`);
    await fs.writeFile(ssh('deep20'), 'Host bottom\n');
    const { config, problems } = await loadSshConfig(ssh('deep0'), { home });
    assert.deepEqual(problems, [
      { severity: 'error', message: `Include "deep${MAX_INCLUDE_DEPTH + 1}" is nested more than ${MAX_INCLUDE_DEPTH} deep; ssh stops with "Too many recursive configuration includes".`, file: ssh(`deep${MAX_INCLUDE_DEPTH}`), line: 1 },
    ]);
    assert.equal(config.files.length, MAX_INCLUDE_DEPTH + 1);
  });

  // Read by a user that file modes apply to (root reads any file), whose home this is.
  test('an unreadable file', { skip: typeof reader === 'string' && reader }, async () => {
    if (typeof reader === 'string') return;
    await fs.writeFile(ssh('secret'), 'Host x\n');
    await fs.chmod(ssh('secret'), 0o000);
    reader.own(home);
    const { problems } = await callAs<{ problems: Problem[] }>(reader, LOADER, 'loadSshConfig', [ssh('secret'), { home }]);
    assert.deepEqual(problems, [{ severity: 'error', message: 'The file cannot be read: permission denied.', file: ssh('secret') }]);
  });
});

// An SSH config or an Include that is a FIFO with no writer, /dev/zero, huge or a link loop is a
// problem at once, never a hang or a 512 MB read; the rest of the config still loads.
describe('hostile SSH config files', () => {
  let home: string;
  const ssh = (rel: string) => path.join(home, '.ssh', rel);
  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-hostile-'));
    await fs.mkdir(path.join(home, '.ssh'));
  });
  after(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  for (const [i, hostile] of HOSTILE_FILES.entries()) {
    test(`the config is ${hostile.name}`, async () => {
      const file = ssh(`root-${i}`);
      hostile.make(file);
      const { config, problems } = await within(2000, loadSshConfig(file, { home }));
      assert.deepEqual(config.hosts, []);
      assert.equal(problems.length, 1);
      assert.equal(problems[0].file, file);
      assert.equal(problems[0].severity, 'error');
      assert.match(/^The file (.*)\.$/.exec(problems[0].message)?.[1] ?? problems[0].message, hostile.detail);
    });

    test(`an Include of ${hostile.name}`, async () => {
      const included = ssh(`included-${i}`);
      hostile.make(included);
      await fs.writeFile(ssh(`with-${i}`), `Host web\n  User deploy\nInclude ${included}\nHost db\n`);
      const { config, problems } = await within(2000, loadSshConfig(ssh(`with-${i}`), { home }));
      assert.deepEqual(config.hosts.map((h) => h.patterns), [['web'], ['db']]);
      assert.equal(problems.length, 1);
      assert.equal(problems[0].file, ssh(`with-${i}`));
      assert.equal(problems[0].line, 3);
      if (hostile.name === 'a folder') {
        assert.equal(problems[0].severity, 'warning');
        return;
      }
      const prefix = `Include "${included}": cannot read ${included}. The file `;
      assert.ok(problems[0].message.startsWith(prefix), problems[0].message);
      assert.match(problems[0].message.slice(prefix.length, -1), hostile.detail);
    });
  }
});
