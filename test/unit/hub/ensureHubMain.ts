// Runs ensureHub once with the options given as JSON in argv[2] and prints the answer as JSON:
// lets a test race several processes, as several VS Code windows would.
import { ensureHub, type EnsureHubOptions } from '../../../src/core/hub/hubLauncher';

const options = JSON.parse(process.argv[2]) as EnsureHubOptions;
ensureHub({ ...options, env: process.env }).then(
  (hub) => {
    process.stdout.write(JSON.stringify(hub) + '\n');
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(String(err) + '\n');
    process.exit(1);
  },
);
