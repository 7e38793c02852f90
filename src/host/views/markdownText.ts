// Text from elsewhere inside the Markdown of a tooltip, shown as it is: no part of it becomes
// markup, a link, an entity or a theme icon. Pure, so that it is tested without VS Code.

/** User text shown literally inside Markdown (names, paths, descriptions). */
export function escapeMarkdown(text: string): string {
  // `&` would start an entity (`&#x202E;` is a right-to-left override), `~` strike text through.
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$&~]/g, '\\$&');
}

/**
 * Text as inline code, every character as it is: fenced by more backticks than it holds in a row
 * (a backtick inside is shown, not replaced), padded when it starts or ends with one. Without
 * line breaks: Markdown would show one as a space. A tooltip holding it must not render theme
 * icons, which VS Code draws inside code as well (`$(error)` would show as an icon).
 */
export function markdownCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || /^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
