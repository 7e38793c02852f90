import { quotePosix } from '../../shared/format';
import { assertJobTag, JOB_TAG_VARIABLE } from '../exec/jobTag';

// ssh joins the words after the destination with spaces and hands the result to the remote
// user's login shell as `$SHELL -c <string>`. That shell may be sh, bash, zsh, fish or csh/tcsh,
// which disagree on quoting: fish reads `\\` and `\'` inside single quotes, csh expands `!`
// inside them and rejects a newline in them. Outside quotes, `\'`, `\\` and `\!` mean the
// character itself in all of them, so those three are written there; a newline never appears.

// Quotes `text` as one word for any common login shell; `text` must not contain a newline.
export function quoteForLoginShell(text: string): string {
  if (/[\n\r\0]/.test(text)) throw new Error(`Expected text without line breaks or NUL bytes to quote for a login shell, got ${JSON.stringify(text)}`);
  return `'${text.replace(/['\\!]/g, (ch) => `'\\${ch}'`)}'`;
}

// The string ssh sends for running `argv` remotely: `sh -c '<exec argv, quoted for sh>'`, itself
// quoted so that every login shell passes the script to sh unchanged. sh (POSIX everywhere)
// then sees each argument verbatim; a line break inside an argument is spelled with a variable
// set by printf, so the string stays on one line. With a `tag`, sh first exports
// VMO_JOB_ID=<tag> (see jobTag.ts), so that cancel can find every process the command leaves on
// the VM (remoteReap.ts); the tag is checked to be a plain word and quoted all the same.
// Throws on an empty argv, a NUL byte or a bad tag.
export function remoteShellCommand(argv: readonly string[], tag?: string): string {
  if (argv.length === 0 || argv[0] === '') throw new Error(`Expected a remote command, got ${JSON.stringify(argv)}`);
  const withNul = argv.find((word) => word.includes('\0'));
  if (withNul !== undefined) throw new Error(`Expected remote arguments without NUL bytes, got ${JSON.stringify(withNul)}`);
  const needsBreaks = argv.some((word) => /[\n\r]/.test(word));
  const words = argv.map((word) => (needsBreaks ? quoteWithBreaks(word) : quotePosix(word)));
  const breaks = needsBreaks ? `nl=$(printf '\\nx'); nl=\${nl%x}; cr=$(printf '\\rx'); cr=\${cr%x}; ` : '';
  if (tag !== undefined) assertJobTag(tag);
  const tagging = tag === undefined ? '' : `${JOB_TAG_VARIABLE}=${quotePosix(tag)}; export ${JOB_TAG_VARIABLE}; `;
  return `sh -c ${quoteForLoginShell(`${breaks}${tagging}exec ${words.join(' ')}`)}`;
}

/** quotePosix, with each line feed and carriage return written as "$nl" / "$cr". */
function quoteWithBreaks(word: string): string {
  if (word === '') return quotePosix(word);
  return word
    .split(/(\n|\r)/)
    .map((part) => (part === '\n' ? '"$nl"' : part === '\r' ? '"$cr"' : part === '' ? '' : quotePosix(part)))
    .join('');
}
