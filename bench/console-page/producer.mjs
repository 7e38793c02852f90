// The console bench's producer: lines like a busy build log, ~100 bytes, a colour code on some, a
// progress line with \r now and then, as fast as stdout takes them.
//   node producer.mjs <lines> <needle-line> <needle> <end-marker> <exit-file>
// At exit it writes to <exit-file> when it started and exited (epoch ms) and its CPU time: the
// runner and the terminal report the exit later, once the output has been read.
import { writeFileSync } from 'node:fs';

const [lines, needleAt, needle, marker, exitFile] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], process.argv[5], process.argv[6]];
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const at = performance.timeOrigin + performance.now();
  writeFileSync(exitFile, JSON.stringify({ startedAt: performance.timeOrigin, at, cpuMs: (cpu.user + cpu.system) / 1000 }));
});
const ESC = '\x1b';
const WORDS = ['GET', 'POST', 'PUT', 'DELETE'];
function line(n) {
  if (n === lines - 1) return marker;
  let text = String(n).padStart(7, '0') + ' 2026-05-01T12:' + String((n >> 10) % 60).padStart(2, '0') + ':00Z INFO worker-' + (n % 8) + ' ' + WORDS[n % 4] + ' /api/items/' + (n % 9973) + ' 200 in ' + (n % 97) + ' ms';
  if (n % 50 === 7) text = ESC + '[32m✓' + ESC + '[0m ' + text + ' ' + ESC + '[2m(cached)' + ESC + '[22m';
  if (n % 500 === 11) text = ESC + '[33mwarn' + ESC + '[39m ' + text + ' see src/server/items.ts:' + (n % 400) + ':7';
  if (n % 1000 === 123) text = 'progress  10%\r progress  55%\r progress 100% ' + text;
  if (n === needleAt) text += ' ' + needle;
  return text.padEnd(98, ' .');
}
let next = 0;
function more() {
  while (next < lines) {
    let text = '';
    for (const end = Math.min(lines, next + 1000); next < end; next++) text += line(next) + '\n';
    if (!process.stdout.write(text)) return process.stdout.once('drain', more);
  }
}
more();
