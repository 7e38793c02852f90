import { parse } from 'shell-quote';

// Splits what a user typed as a target's arguments (`VAR=value -j4 'MSG=a b'`) into argv
// entries the way a shell would split words, but expands nothing and refuses every operator:
// the result is passed to the program as separate arguments, never to a shell.
export function parseArgs(text: string): string[] {
  // Variables are not expanded: `$HOME` and `${HOME}` both reach the program as `${HOME}`,
  // which make itself expands from the environment.
  const words = parse(text, (name) => (name ? `\${${name}}` : '$'));
  return words.map((word) => {
    if (typeof word === 'string') return word;
    if ('op' in word && word.op === 'glob') return word.pattern;
    if ('comment' in word) throw new Error(`Expected arguments, got a comment: #${word.comment}`);
    throw new Error(`Expected arguments, got the shell operator "${'op' in word ? word.op : '?'}"; arguments are never run by a shell`);
  });
}
