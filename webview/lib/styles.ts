// Text styles of log output, interned: a line stores small style ids, not objects.

/** Attribute bits of a style. */
export const Attr = {
  bold: 1,
  dim: 2,
  italic: 4,
  underline: 8,
  inverse: 16,
  hidden: 32,
  strike: 64,
  overline: 128,
} as const;

/**
 * A colour as one number: 0 is the default, 1–256 the palette entries 0–255, and
 * `RGB_FLAG | 0xRRGGBB` a true colour.
 */
export const DEFAULT_COLOR = 0;
export const RGB_FLAG = 0x1000000;

export function paletteColor(index: number): number {
  return 1 + index;
}

export function rgbColor(r: number, g: number, b: number): number {
  return RGB_FLAG | ((r & 255) << 16) | ((g & 255) << 8) | (b & 255);
}

export interface Style {
  fg: number;
  bg: number;
  attrs: number;
  /** Target of an OSC 8 hyperlink, or null. */
  link: string | null;
}

/** How a style is drawn: colours as CSS values (theme variables for the 16 ANSI colours) and classes. */
export interface StyleCss {
  color: string | undefined;
  background: string | undefined;
  className: string;
}

/** Beyond this many distinct styles, new hyperlink targets are dropped (the text stays). */
const MAX_STYLES = 65_536;

/** Every style seen in one console, numbered; id 0 is the default style. */
export class StyleTable {
  private readonly list: Style[] = [{ fg: 0, bg: 0, attrs: 0, link: null }];
  private readonly ids = new Map<string, number>([['0,0,0,', 0]]);
  private readonly cssCache: (StyleCss | undefined)[] = [];

  intern(fg: number, bg: number, attrs: number, link: string | null): number {
    if (link !== null && this.list.length >= MAX_STYLES) link = null;
    const key = `${fg},${bg},${attrs},${link ?? ''}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push({ fg, bg, attrs, link });
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): Style {
    return this.list[id] ?? this.list[0]!;
  }

  get size(): number {
    return this.list.length;
  }

  css(id: number): StyleCss {
    let css = this.cssCache[id];
    if (css === undefined) {
      css = styleCss(this.get(id));
      this.cssCache[id] = css;
    }
    return css;
  }
}

/** The CSS colour of palette entry 0–255: theme variables for 0–15, the xterm cube and grey ramp above. */
export function paletteCss(index: number): string {
  if (index < 16) return `var(--vmo-ansi-${index})`;
  if (index < 232) {
    const i = index - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
  }
  const grey = 8 + (index - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

function colorCss(color: number, bright: boolean): string | undefined {
  if (color === DEFAULT_COLOR) return undefined;
  if (color >= RGB_FLAG) {
    const rgb = color & 0xffffff;
    return `rgb(${rgb >> 16},${(rgb >> 8) & 255},${rgb & 255})`;
  }
  const index = color - 1;
  // Like VS Code's terminal (drawBoldTextInBrightColors), bold text in colours 0–7 uses 8–15.
  return paletteCss(bright && index < 8 ? index + 8 : index);
}

export function styleCss(style: Style): StyleCss {
  const bold = (style.attrs & Attr.bold) !== 0;
  let color = colorCss(style.fg, bold);
  let background = colorCss(style.bg, false);
  if (style.attrs & Attr.inverse) {
    [color, background] = [background ?? 'var(--vmo-bg)', color ?? 'var(--vmo-fg)'];
  }
  const classes: string[] = [];
  if (bold) classes.push('sb');
  if (style.attrs & Attr.dim) classes.push('sd');
  if (style.attrs & Attr.italic) classes.push('si');
  if (style.attrs & Attr.underline) classes.push('su');
  if (style.attrs & Attr.strike) classes.push('ss');
  if (style.attrs & Attr.overline) classes.push('so');
  if (style.attrs & Attr.hidden) classes.push('sh');
  return { color, background, className: classes.join(' ') };
}
