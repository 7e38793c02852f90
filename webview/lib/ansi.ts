// An ANSI escape sequence scanner for log output: keeps SGR styles (16, 256 and true colours,
// bold, dim, italic, underline, inverse …) and OSC 8 hyperlinks, strips every other sequence
// and control character, and carries its state across chunks, including a sequence cut in two.
import { Attr, DEFAULT_COLOR, paletteColor, rgbColor, StyleTable } from './styles';

/** Receives the scanned text of one stream. */
export interface AnsiSink {
  /** Printable text, in the style with this id. */
  text(text: string, style: number): void;
  newline(): void;
  carriageReturn(): void;
}

/** Characters that need the scanner: C0 controls but tab and newline, DEL, C1 controls. */
// Matching control characters is what these expressions are for.
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
// A `\r` right before a newline is not special: a pseudo-terminal ends every line with CRLF.
// eslint-disable-next-line no-control-regex
const NEEDS_SCAN = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)/;

/** An unfinished sequence longer than this is not a sequence: its ESC is dropped, the rest shown. */
const MAX_PENDING = 4096;
const MAX_LINK = 2048;
const INCOMPLETE = -1;

/** True when `text` holds nothing but printable characters, tabs and newlines (LF or CRLF). */
export function isPlainText(text: string): boolean {
  return !NEEDS_SCAN.test(text);
}

/** One stream's escape state: the current SGR attributes and an unfinished sequence, if any. */
export class AnsiScanner {
  private fg = DEFAULT_COLOR;
  private bg = DEFAULT_COLOR;
  private attrs = 0;
  private link: string | null = null;
  private pending = '';
  /** The id of the current style in the table. */
  style = 0;

  constructor(private readonly styles: StyleTable) {}

  /** True while the end of the last chunk was the start of an escape sequence. */
  get hasPending(): boolean {
    return this.pending !== '';
  }

  reset(): void {
    this.fg = DEFAULT_COLOR;
    this.bg = DEFAULT_COLOR;
    this.attrs = 0;
    this.link = null;
    this.pending = '';
    this.style = 0;
  }

  feed(input: string, sink: AnsiSink): void {
    const text = this.pending === '' ? input : this.pending + input;
    this.pending = '';
    const n = text.length;
    let i = 0;
    while (i < n) {
      SPECIAL.lastIndex = i;
      const m = SPECIAL.exec(text);
      const j = m === null ? n : m.index;
      if (j > i) sink.text(i === 0 && j === n ? text : text.slice(i, j), this.style);
      if (m === null) break;
      const c = text.charCodeAt(j);
      if (c === 0x0a) {
        sink.newline();
        i = j + 1;
      } else if (c === 0x0d) {
        sink.carriageReturn();
        i = j + 1;
      } else if (c === 0x1b || c === 0x9b) {
        const end = c === 0x1b ? this.escape(text, j) : this.csi(text, j + 1);
        if (end === INCOMPLETE) {
          if (n - j <= MAX_PENDING) {
            this.pending = text.slice(j);
            break;
          }
          i = j + 1;
        } else {
          i = end;
        }
      } else {
        // BEL, backspace, shift in/out, NUL, other C1 controls: not shown.
        i = j + 1;
      }
    }
  }

  /** Handles the sequence that starts with ESC at `j`; returns the index after it. */
  private escape(text: string, j: number): number {
    const n = text.length;
    const k = j + 1;
    if (k >= n) return INCOMPLETE;
    const c = text.charCodeAt(k);
    if (c === 0x5b) return this.csi(text, k + 1); // ESC [
    if (c === 0x5d) return this.stringSequence(text, k + 1, true); // ESC ] : OSC
    if (c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) return this.stringSequence(text, k + 1, false); // DCS SOS PM APC
    if (c >= 0x20 && c <= 0x2f) {
      // ESC, intermediates, final byte: charset designations and the like.
      let p = k;
      while (p < n && text.charCodeAt(p) >= 0x20 && text.charCodeAt(p) <= 0x2f) p++;
      if (p >= n) return INCOMPLETE;
      const f = text.charCodeAt(p);
      return f >= 0x30 && f <= 0x7e ? p + 1 : p;
    }
    if (c >= 0x30 && c <= 0x7e) return k + 1; // ESC 7, ESC =, ESC M …
    return k; // ESC before a control character: drop the ESC alone.
  }

  /** A control sequence whose parameters start at `p`: SGR is applied, the rest dropped. */
  private csi(text: string, p: number): number {
    const n = text.length;
    let q = p;
    while (q < n) {
      const ch = text.charCodeAt(q);
      if (ch < 0x30 || ch > 0x3f) break;
      q++;
    }
    const paramsEnd = q;
    while (q < n) {
      const ch = text.charCodeAt(q);
      if (ch < 0x20 || ch > 0x2f) break;
      q++;
    }
    if (q >= n) return INCOMPLETE;
    const f = text.charCodeAt(q);
    if (f < 0x40 || f > 0x7e) return q; // malformed: drop what was read, keep the character
    if (f === 0x6d && paramsEnd === q) {
      const first = text.charCodeAt(p);
      // `ESC [ > … m` and friends are private modes, not SGR.
      if (paramsEnd === p || first < 0x3c) this.sgr(text.slice(p, paramsEnd));
    }
    return q + 1;
  }

  /** OSC, DCS, SOS, PM, APC: ends at BEL or ST; a newline aborts it so a lost terminator cannot eat lines. */
  private stringSequence(text: string, p: number, osc: boolean): number {
    const n = text.length;
    for (let q = p; q < n; q++) {
      const ch = text.charCodeAt(q);
      if (ch === 0x07 || ch === 0x9c) {
        if (osc) this.osc(text.slice(p, q));
        return q + 1;
      }
      if (ch === 0x1b) {
        if (q + 1 >= n) return INCOMPLETE;
        if (text.charCodeAt(q + 1) === 0x5c) {
          if (osc) this.osc(text.slice(p, q));
          return q + 2;
        }
        return q;
      }
      if (ch === 0x0a) return q;
    }
    return INCOMPLETE;
  }

  // OSC 8 ; params ; URI — a hyperlink that lasts until an OSC 8 with an empty URI. Only a web
  // address is one: the console opens nothing else a program names (`command:`, `file:`, …), and
  // a link that does nothing when clicked should not look like one.
  private osc(body: string): void {
    if (!body.startsWith('8;')) return;
    const sep = body.indexOf(';', 2);
    if (sep < 0) return;
    const uri = body.slice(sep + 1);
    this.link = uri.length > MAX_LINK || !/^https?:\/\//i.test(uri) ? null : uri;
    this.update();
  }

  private update(): void {
    this.style = this.styles.intern(this.fg, this.bg, this.attrs, this.link);
  }

  /** Applies `ESC [ params m`. */
  private sgr(params: string): void {
    const parts = params === '' ? ['0'] : params.split(';');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.includes(':')) {
        this.sgrColon(part.split(':').map(toInt));
        continue;
      }
      const code = toInt(part);
      if (code === 38 || code === 48 || code === 58) {
        const mode = toInt(parts[i + 1] ?? '');
        let color: number;
        if (mode === 5 && i + 2 < parts.length) {
          color = paletteIndex(toInt(parts[i + 2]!));
          i += 2;
        } else if (mode === 2 && i + 4 < parts.length) {
          color = rgb(toInt(parts[i + 2]!), toInt(parts[i + 3]!), toInt(parts[i + 4]!));
          i += 4;
        } else {
          // An extended colour we cannot read: the rest of the sequence is unreliable.
          break;
        }
        this.setColor(code, color);
        continue;
      }
      this.sgrCode(code);
    }
    this.update();
  }

  /** `38:5:n`, `38:2:[colourspace]:r:g:b`, `4:3` (curly underline) … */
  private sgrColon(sub: number[]): void {
    const code = sub[0]!;
    if (code === 38 || code === 48 || code === 58) {
      let color = -1;
      if (sub[1] === 5 && sub.length >= 3) color = paletteIndex(sub[2]!);
      else if (sub[1] === 2 && sub.length >= 6) color = rgb(sub[3]!, sub[4]!, sub[5]!);
      else if (sub[1] === 2 && sub.length === 5) color = rgb(sub[2]!, sub[3]!, sub[4]!);
      this.setColor(code, color);
    } else if (code === 4) {
      this.attrs = sub[1] === 0 ? this.attrs & ~Attr.underline : this.attrs | Attr.underline;
    } else {
      this.sgrCode(code);
    }
  }

  private setColor(code: number, color: number): void {
    if (color < 0) return;
    if (code === 38) this.fg = color;
    else if (code === 48) this.bg = color;
    // 58 is the underline colour: read so that its parameters are skipped, not shown.
  }

  private sgrCode(code: number): void {
    if (code === 0) {
      this.fg = DEFAULT_COLOR;
      this.bg = DEFAULT_COLOR;
      this.attrs = 0;
    } else if (code === 1) this.attrs |= Attr.bold;
    else if (code === 2) this.attrs |= Attr.dim;
    else if (code === 3) this.attrs |= Attr.italic;
    else if (code === 4 || code === 21) this.attrs |= Attr.underline;
    else if (code === 7) this.attrs |= Attr.inverse;
    else if (code === 8) this.attrs |= Attr.hidden;
    else if (code === 9) this.attrs |= Attr.strike;
    else if (code === 22) this.attrs &= ~(Attr.bold | Attr.dim);
    else if (code === 23) this.attrs &= ~Attr.italic;
    else if (code === 24) this.attrs &= ~Attr.underline;
    else if (code === 27) this.attrs &= ~Attr.inverse;
    else if (code === 28) this.attrs &= ~Attr.hidden;
    else if (code === 29) this.attrs &= ~Attr.strike;
    else if (code >= 30 && code <= 37) this.fg = paletteColor(code - 30);
    else if (code === 39) this.fg = DEFAULT_COLOR;
    else if (code >= 40 && code <= 47) this.bg = paletteColor(code - 40);
    else if (code === 49) this.bg = DEFAULT_COLOR;
    else if (code === 53) this.attrs |= Attr.overline;
    else if (code === 55) this.attrs &= ~Attr.overline;
    else if (code >= 90 && code <= 97) this.fg = paletteColor(code - 90 + 8);
    else if (code >= 100 && code <= 107) this.bg = paletteColor(code - 100 + 8);
    // Blink (5, 6, 25), fonts (10–20) and the rest are ignored.
  }
}

function toInt(s: string): number {
  if (s === '') return 0;
  const v = Number.parseInt(s, 10);
  return Number.isNaN(v) ? -1 : v;
}

function paletteIndex(n: number): number {
  return n >= 0 && n <= 255 ? paletteColor(n) : -1;
}

function rgb(r: number, g: number, b: number): number {
  if (r < 0 || g < 0 || b < 0 || r > 255 || g > 255 || b > 255) return -1;
  return rgbColor(r, g, b);
}

/** The text of `input` without escape sequences and control characters (tabs, newlines and carriage returns stay). */
export function stripAnsi(input: string): string {
  if (isPlainText(input)) return input;
  let out = '';
  const sink: AnsiSink = {
    text: (t) => {
      out += t;
    },
    newline: () => {
      out += '\n';
    },
    carriageReturn: () => {
      out += '\r';
    },
  };
  const scanner = new AnsiScanner(new StyleTable());
  scanner.feed(input, sink);
  return out;
}
