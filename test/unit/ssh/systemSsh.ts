import { execFileSync } from 'node:child_process';

function hasSsh(): boolean {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `skip` for the tests that run the system's ssh: false where it is on the PATH. */
export const NO_SSH: false | string = hasSsh() ? false : 'no ssh on PATH';
