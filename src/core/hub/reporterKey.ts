// A reporter's key (HubAuth.key): the secret by which the hub knows the window that started a job,
// which alone may report its output and its end. It is sent only in the hub's handshake and kept in
// the reporter's spool folder (0600), so that whoever sends that folder's spools — the window
// itself after a restart, or a later window once it died — reports its jobs with the key they were
// started with.
import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../shared/errors';
import { REPORTER_KEY_PATTERN } from '../../shared/hubProtocol';
import { FileReadError, readBoundedSync } from '../util/readBounded';

/** The file in a spool folder that holds its reporter key. */
export const REPORTER_KEY_FILE = 'reporter.key';

/** A new reporter key: 256 random bits, as the handshake takes them. */
export const newReporterKey = (): string => randomBytes(32).toString('hex');

/** The key a spool folder's file holds; undefined when it has none, or holds no key (logged). */
function keptKey(file: string, log: (message: string) => void): string | undefined {
  try {
    const key = readBoundedSync(file, 1024).trim();
    if (REPORTER_KEY_PATTERN.test(key)) return key;
    log(`${file} holds no reporter key; a new one replaces it`);
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    if (err.code !== 'ENOENT') log(`Skipped the reporter key ${err.message}; a new one replaces it`);
  }
  return undefined;
}

// The key of the spool folder `dir`: the one kept there, which its spools were reported with; when
// it has none, `given` (the window's key, the same for each reporter it starts) or a new one, kept
// there first (written aside and renamed, 0600). A key that cannot be kept is still used: this
// reporter owns its jobs, and only a later window replaying the folder would not (logged).
export function spoolKey(dir: string, given: string | undefined, log: (message: string) => void): string {
  const file = path.join(dir, REPORTER_KEY_FILE);
  const kept = keptKey(file, log);
  if (kept !== undefined) {
    if (given !== undefined && given !== kept) log(`The spool folder ${dir} was reported with a key of its own, which its jobs keep`);
    return kept;
  }
  const key = given ?? newReporterKey();
  const temp = `${file}.tmp`;
  try {
    writeFileSync(temp, `${key}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (err) {
    log(`Could not keep the reporter key in ${file} (${messageOf(err)}): a later window cannot report the jobs this one leaves spooled there`);
  }
  return key;
}
