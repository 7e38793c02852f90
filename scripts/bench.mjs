// `npm run bench -- <name>`: runs bench/<name>.ts, echoes its output, and keeps the JSON
// object it prints last in bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const available = readdirSync('bench').filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`Usage: npm run bench -- <name>   (one of: ${available.join(', ')})`);
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`), ...process.argv.slice(3)], {
  stdio: ['inherit', 'pipe', 'inherit'],
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
process.stdout.write(run.stdout);
if (run.status !== 0) process.exit(run.status ?? 1);
const last = run.stdout.trim().split('\n').pop() ?? '';
JSON.parse(last);
if (!existsSync('bench/results')) mkdirSync('bench/results', { recursive: true });
writeFileSync(path.join('bench/results', `${name}.json`), last + '\n');
