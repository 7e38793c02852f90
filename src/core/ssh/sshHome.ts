import os from 'node:os';

// OpenSSH takes `~` from the passwd entry of the user it runs as, never from $HOME: for the user's
// config (~/.ssh/config), for `~` in its paths and for relative Include paths (under ~/.ssh). Where
// $HOME says otherwise (a sandbox, a container, `sudo` keeping HOME) a config read under $HOME
// would show Host blocks that ssh never applies, and a command that resolves elsewhere than shown.
// Without a passwd entry ssh does not run at all; $HOME is then all there is.

/** The home folder ssh uses: the passwd entry's, else `fallback`. */
export function sshHome(fallback = os.homedir()): string {
  try {
    return os.userInfo().homedir || fallback;
  } catch {
    return fallback;
  }
}
