import { stat } from 'node:fs/promises';

// Why a path that should name a folder does not, in words that follow the path: "does not
// exist", or what it is instead (a link loop, a file, a folder the user may not enter), so a
// registry entry that points into a link loop is not reported as missing. Undefined for a folder.
export async function whyNotFolder(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : 'is not a folder';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    switch (code) {
      case 'ENOENT':
        return 'does not exist';
      case 'ENOTDIR':
        return 'does not exist (a part of its path is not a folder)';
      case 'ELOOP':
        return 'cannot be reached: too many levels of symbolic links (a link that leads back to itself)';
      case 'EACCES':
      case 'EPERM':
        return 'cannot be reached: permission denied';
      default:
        return `cannot be reached: ${(err as Error).message}`;
    }
  }
}
