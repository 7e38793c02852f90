import type { Chunk, StreamName } from '../../../src/shared/jobs';
import type { LineStore } from '../../../webview/lib/lineStore';
import { Attr, RGB_FLAG, type Style } from '../../../webview/lib/styles';

let seq = 0;

/** A chunk with the next seq (per test file), at a fixed time. */
export function chunk(text: string, stream: StreamName = 'stdout', at = 1_700_000_000_000): Chunk {
  return { seq: seq++, ts: at, stream, text };
}

export function resetSeq(): void {
  seq = 0;
}

/** A style as readable text: `fg=red bg=256:196 bold underline link=https://…`. */
export function describeStyle(style: Style): string {
  const parts: string[] = [];
  const color = (c: number) => {
    if (c >= RGB_FLAG) return `#${(c & 0xffffff).toString(16).padStart(6, '0')}`;
    const names = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
    const i = c - 1;
    if (i < 8) return names[i]!;
    if (i < 16) return `bright-${names[i - 8]}`;
    return `256:${i}`;
  };
  if (style.fg) parts.push(`fg=${color(style.fg)}`);
  if (style.bg) parts.push(`bg=${color(style.bg)}`);
  for (const [name, bit] of Object.entries(Attr)) if (style.attrs & bit) parts.push(name);
  if (style.link) parts.push(`link=${style.link}`);
  return parts.join(' ');
}

/** Every line held, as text and styled spans: what the golden files contain. */
export function renderLines(store: LineStore): Array<{ text: string; spans?: Array<[string, string]> }> {
  const out: Array<{ text: string; spans?: Array<[string, string]> }> = [];
  for (let no = store.firstNo; no < store.endNo; no++) {
    const text = store.text(no);
    const style = store.style(no);
    const runs = typeof style === 'number' ? [0, style] : style;
    const spans: Array<[string, string]> = [];
    for (let i = 0; i < runs.length; i += 2) {
      const end = i + 2 < runs.length ? runs[i + 2]! : text.length;
      const described = describeStyle(store.styles.get(runs[i + 1]!));
      if (described !== '' && end > runs[i]!) spans.push([text.slice(runs[i]!, end), described]);
    }
    out.push(spans.length > 0 ? { text, spans } : { text });
  }
  return out;
}
