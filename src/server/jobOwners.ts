// Who may report a job. Every token holder is untrusted, and the job ids and reporter ids of all
// jobs are told to every client (job:started, the history): neither can prove that a report comes
// from the window that runs the job. A reporter's key can: 256 random bits, held by the window
// (in its spool folder), sent only in its handshake, and kept by the hub as a SHA-256 hash, with
// the job from its first start on (in memory while it runs here, in the store for a restarted hub
// and the other hubs on its database). A start, output or end of a job from a client that does not
// hold its key is refused and changes nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { JobOwner } from '../core/store/jobStore';
import { REPORTER_KEY_PATTERN } from '../shared/hubProtocol';
import type { Parsed } from '../shared/schemaFields';

/** What a client proved in its handshake: its reporter id, and the hash of its key when it sent one. */
export interface Reporting {
  reporter: string;
  keyHash?: Buffer;
}

/** The hash the hub keeps of a handshake's `auth.key`: none when absent; refused when it is not a key. */
export function keyHashOf(key: unknown): Parsed<Buffer | undefined> {
  if (key === undefined) return { ok: true, value: undefined };
  if (typeof key !== 'string' || !REPORTER_KEY_PATTERN.test(key)) return { ok: false, error: 'key: expected a reporter key, 64 lowercase hexadecimal digits' };
  return { ok: true, value: createHash('sha256').update(Buffer.from(key, 'hex')).digest() };
}

/** The owner of a job that `client` starts now. */
export const ownerOf = (client: Reporting): JobOwner => ({ keyHash: client.keyHash ?? null, reporter: client.reporter });

// Whether `client` may report (start again, add output to, end) a job owned by `owner`:
// - a job started with a key: only a client with the same key (compared in constant time).
// - a job started without one (by a window older than keys): a client without a key, as before
//   keys, from any reporter id, since it could not prove one; and a client with a key only under
//   the reporter id the job was stored with. That is a window updated while its job's output waited
//   in its spool, which it replays with a key it did not have before (so does a later window that
//   replays its spool folder, under the folder's name). Neither lets a keyed client do what a
//   client without a key could not already do; and a job never gains a key after its start, so no
//   client can lock an older window out of its own job.
export function mayReport(owner: JobOwner, client: Reporting): boolean {
  if (owner.keyHash === null) return client.keyHash === undefined || client.reporter === owner.reporter;
  return client.keyHash !== undefined && client.keyHash.length === owner.keyHash.length && timingSafeEqual(client.keyHash, owner.keyHash);
}

/** The refusal of a report of a job owned by another reporter. */
export const notYours = (event: string, jobId: string): { ok: false; error: string } => ({
  ok: false,
  error: `Job ${jobId} is reported by another window: ${event} refused (a job is reported only by the window that started it)`,
});
