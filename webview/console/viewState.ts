// What the console tab remembers while it is hidden (through the webview state API): the
// user's toggles, find, and which line was at the top. VS Code keeps it for the tab; the host
// re-sends the output after `ready`.

export interface ConsoleViewState {
  v: 1;
  jobId: string;
  wrap: boolean;
  timestamps: boolean;
  follow: boolean;
  /** Shown streams: stdout, stderr, system. */
  streams: [boolean, boolean, boolean];
  findOpen: boolean;
  findText: string;
  caseSensitive: boolean;
  /** The line at the top: the chunk it came from and its index among that chunk's lines. */
  anchor: { seq: number; line: number } | null;
}

function isBool(v: unknown): v is boolean {
  return typeof v === 'boolean';
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** The saved state, or undefined when there is none or it is not one this version wrote. */
export function readViewState(raw: unknown): ConsoleViewState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const s = raw as Record<string, unknown>;
  const streams = s.streams;
  const anchor = s.anchor as Record<string, unknown> | null | undefined;
  const ok =
    s.v === 1 &&
    typeof s.jobId === 'string' &&
    isBool(s.wrap) &&
    isBool(s.timestamps) &&
    isBool(s.follow) &&
    Array.isArray(streams) &&
    streams.length === 3 &&
    streams.every(isBool) &&
    isBool(s.findOpen) &&
    typeof s.findText === 'string' &&
    s.findText.length <= 1000 &&
    isBool(s.caseSensitive) &&
    (anchor === null || (typeof anchor === 'object' && anchor !== undefined && isIndex(anchor.seq) && isIndex(anchor.line)));
  return ok ? (raw as ConsoleViewState) : undefined;
}
