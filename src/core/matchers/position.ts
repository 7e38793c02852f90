/** A 1-based line or column read from output; 0, empty or absurd numbers mean none. */
export function positiveInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

/** Where a stateful matcher's problem is, as printed. */
export interface Place {
  file: string;
  line?: number;
}

/** A file and, when `lineText` is a valid line number, the line. */
export function fileAndLine(file: string, lineText: string): Place {
  const line = positiveInteger(lineText);
  return line === undefined ? { file } : { file, line };
}
