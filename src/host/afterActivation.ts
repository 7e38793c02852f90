// Runs work that the window needs soon but not before activate() returns: VS Code waits for
// activate() before it resolves the views and runs the command that activated the extension, so
// reading files, spawning processes or opening connections there delays everything the user asked for.
export function afterActivation(work: () => void): void {
  setImmediate(work);
}
