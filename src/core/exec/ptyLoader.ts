import type * as NodePty from 'node-pty';

/** node-pty when its native module loads here, else why it does not. */
export type PtyLoad = { pty: typeof NodePty } | { error: string };

let loaded: PtyLoad | undefined;

// node-pty is a native module that some installs lack (another platform, another Electron ABI):
// it is loaded on first use and a failure becomes a reason to use pipes, never a crash.
export function loadPty(): PtyLoad {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { pty: require('node-pty') as typeof NodePty };
    } catch (error) {
      loaded = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  return loaded;
}
