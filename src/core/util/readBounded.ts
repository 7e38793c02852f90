// Reads a user's file without trusting what it is: opened non-blocking (a FIFO with no writer
// cannot hang the open) and without becoming a controlling terminal, checked with fstat on the
// open descriptor (no race with a rename), refused unless it is a regular file within a size
// limit, and read no further than the limit even when it grows while being read.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatBytes } from './formatBytes';

const KiB = 1024;
const MiB = 1024 * 1024;

/** How much of each kind of file is read at most. */
export const READ_LIMITS = {
  registry: 1 * MiB,
  sshConfig: 1 * MiB,
  makefile: 4 * MiB,
  environment: 1 * MiB,
  sequences: 1 * MiB,
  tokens: 64 * KiB,
  hubState: 64 * KiB,
} as const;

/** open(2) flags: read only, never block on a FIFO or device, never take a terminal. */
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Why a file was not read. `detail` follows the file name: "is a FIFO, not a regular file". */
export class FileReadError extends Error {
  constructor(
    readonly file: string,
    /** The errno code (ENOENT, ELOOP…), ENOTREG for a file that is not regular, EFBIG over the limit, EBINARY for NUL bytes. */
    readonly code: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file} ${detail}`, options);
    this.name = 'FileReadError';
  }

  /** The reason as a sentence without the file name, for a problem item that shows the file. */
  get sentence(): string {
    return `The file ${this.detail}.`;
  }
}

/** The text (UTF-8) of a regular file of at most `maxBytes`; throws FileReadError otherwise. */
export async function readBounded(file: string, maxBytes: number): Promise<string> {
  return (await readBoundedBytes(file, maxBytes)).toString('utf8');
}

/** The bytes of a regular file of at most `maxBytes`; throws FileReadError otherwise. */
export async function readBoundedBytes(file: string, maxBytes: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, err);
  }
  try {
    const stat = await handle.stat().catch((err: unknown) => {
      throw openError(file, err);
    });
    checkRegular(file, stat, maxBytes);
    return await readAll(file, maxBytes, stat.size, async (buffer, offset, length) => (await handle.read(buffer, offset, length, null)).bytesRead);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

// A text format never holds a NUL byte: a file with one is binary (a program, a library) read by
// mistake, and what it would parse to is garbage. `kind` names the format: "an SSH config".
export function refuseBinary(file: string, text: string, kind: string): string {
  if (text.includes('\0')) throw new FileReadError(file, 'EBINARY', `contains NUL bytes: it is binary, not ${kind}`);
  return text;
}

// readBounded for callers that cannot wait: the hub's state and token files, and the static
// Makefile reader, where `$(eval …)` can include a file in the middle of expanding a line.
export function readBoundedSync(file: string, maxBytes: number): string {
  const { fd, size } = openRegularSync(file, maxBytes);
  try {
    return readAllSync(file, maxBytes, size, (buffer, offset, length) => readSync(fd, buffer, offset, length, null)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// Opens a regular file for reading in pieces (spool files), refusing anything else; the caller
// closes `fd`. `maxBytes` limits the size it may have when opened.
export function openRegularSync(file: string, maxBytes = Number.MAX_SAFE_INTEGER): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, err);
  }
  try {
    const stat = fstatSync(fd);
    checkRegular(file, stat, maxBytes);
    return { fd, size: stat.size };
  } catch (err) {
    closeSync(fd);
    throw err instanceof FileReadError ? err : openError(file, err);
  }
}

function checkRegular(file: string, stat: Stats, maxBytes: number): void {
  if (!stat.isFile()) throw new FileReadError(file, stat.isDirectory() ? 'EISDIR' : 'ENOTREG', `is ${fileType(stat)}, not a regular file`);
  if (stat.size > maxBytes) throw tooBig(file, `is ${sizeOver(stat.size, maxBytes)}`, maxBytes);
}

// A size just over the limit is given in bytes: "is 4 MiB, over the 4 MiB limit" says nothing.
function sizeOver(size: number, maxBytes: number): string {
  return formatBytes(size) === formatBytes(maxBytes) ? `${size} bytes` : formatBytes(size);
}

function tooBig(file: string, what: string, maxBytes: number): FileReadError {
  return new FileReadError(file, 'EFBIG', `${what}, over the ${formatBytes(maxBytes)} limit`);
}

function fileType(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

function openError(file: string, err: unknown): FileReadError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  const detail = ((): string => {
    switch (code) {
      case 'ENOENT':
        return 'does not exist (or is a link to nothing)';
      case 'ENOTDIR':
        return 'does not exist (a part of its path is not a folder)';
      case 'EACCES':
      case 'EPERM':
        return 'cannot be read: permission denied';
      case 'ELOOP':
        return 'cannot be read: too many levels of symbolic links';
      case 'EISDIR':
        return 'is a folder, not a regular file';
      case 'ENXIO':
        return 'is a socket or a device, not a regular file';
      default:
        return `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
    }
  })();
  return new FileReadError(file, code, detail, { cause: err });
}

// Reads until end of file into a buffer that never grows past maxBytes + 1: one byte more than
// the limit tells a file that grew while being read.
async function readAll(file: string, maxBytes: number, size: number, read: (b: Buffer, offset: number, length: number) => Promise<number>): Promise<Buffer> {
  let buffer: Buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let total = 0;
  for (;;) {
    if (total === buffer.length) buffer = grow(file, buffer, maxBytes);
    const n = await read(buffer, total, buffer.length - total).catch((err: unknown) => {
      throw openError(file, err);
    });
    if (n === 0) return buffer.subarray(0, total);
    total += n;
  }
}

function readAllSync(file: string, maxBytes: number, size: number, read: (b: Buffer, offset: number, length: number) => number): Buffer {
  let buffer: Buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let total = 0;
  for (;;) {
    if (total === buffer.length) buffer = grow(file, buffer, maxBytes);
    let n: number;
    try {
      n = read(buffer, total, buffer.length - total);
    } catch (err) {
      throw openError(file, err);
    }
    if (n === 0) return buffer.subarray(0, total);
    total += n;
  }
}

function grow(file: string, buffer: Buffer, maxBytes: number): Buffer {
  if (buffer.length > maxBytes) throw tooBig(file, 'grew while being read', maxBytes);
  const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
  buffer.copy(larger);
  return larger;
}
