import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

// The captured outputs under test/fixtures/matchers: one folder per tool, each `*.out` a tool's
// output exactly as printed, `case.json` the folder it was captured in (absolute paths in the
// output point there) and, per output, the subfolder the tool ran in when not that one.
export interface CapturedOutput {
  tool: string;
  name: string;
  /** The folder the tool ran in, as at capture. */
  cwd: string;
  /** The folder the capture was made in: goldens show it as `<root>`. */
  root: string;
  /** The output's lines, colours stripped as the console strips them. */
  lines: string[];
  expectedFile: string;
}

interface Case {
  capturedIn: string;
  cwd?: Record<string, string>;
}

export const MATCHER_FIXTURES = path.resolve(__dirname, '../../fixtures/matchers');

export function capturedOutputs(): CapturedOutput[] {
  const outputs: CapturedOutput[] = [];
  const tools = readdirSync(MATCHER_FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const tool of tools.map((e) => e.name).sort()) {
    const dir = path.join(MATCHER_FIXTURES, tool);
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.out')).sort()) {
      const name = file.slice(0, -'.out'.length);
      outputs.push({
        tool,
        name,
        cwd: path.join(spec.capturedIn, spec.cwd?.[file] ?? '.'),
        root: spec.capturedIn,
        lines: outputLines(readFileSync(path.join(dir, file), 'utf8')),
        expectedFile: path.join(dir, `${name}.expected.json`),
      });
    }
  }
  return outputs;
}

function outputLines(text: string): string[] {
  const lines = stripVTControlCharacters(text).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
