// What changes from one run of a job to the next without meaning anything — when it ran, how long
// it took, ids and temporary files — replaced by a placeholder, so that comparing two runs shows
// only what the program did differently.

/** A masking rule: every match of `pattern` (a JavaScript regular expression) becomes `replacement`. */
export interface MaskRule {
  pattern: string;
  replacement: string;
}

/**
 * The rules `vmOrchestrator.compare.masks` starts with (package.json repeats them as its default),
 * applied in order: UUIDs before hex ids, full timestamps before clock times.
 */
export const DEFAULT_MASKS: readonly MaskRule[] = [
  { pattern: '\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?', replacement: '<time>' },
  { pattern: '\\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\\d{1,2} \\d{2}:\\d{2}:\\d{2}(?: [A-Z]{2,5})? \\d{4}', replacement: '<time>' },
  { pattern: '\\b\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b', replacement: '<time>' },
  { pattern: '\\b\\d+(?:\\.\\d+)? ?(?:ns|µs|us|ms|s|m|h)\\b|\\b\\d+(?:\\.\\d+)? ?(?:seconds?|secs?|minutes?|mins?)\\b', replacement: '<duration>' },
  { pattern: '\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b', replacement: '<uuid>' },
  { pattern: '\\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,64}\\b', replacement: '<hex>' },
  { pattern: '(?:/tmp|/var/tmp|/dev/shm|/private/var/folders)/[^\\s\'"`:,;)\\]]*', replacement: '<tmp>' },
];

/** The rules as regular expressions, or the first that is not one. */
export function compileMasks(rules: readonly MaskRule[]): { masks: { regex: RegExp; replacement: string }[] } | { error: string } {
  const masks: { regex: RegExp; replacement: string }[] = [];
  for (const [i, rule] of rules.entries()) {
    if (typeof rule?.pattern !== 'string' || typeof rule.replacement !== 'string') return { error: `Mask ${i + 1}: needs "pattern" and "replacement" as text` };
    try {
      masks.push({ regex: new RegExp(rule.pattern, 'g'), replacement: rule.replacement });
    } catch (error) {
      return { error: `Mask ${i + 1}: ${(error as Error).message}` };
    }
  }
  return { masks };
}

/** `text` (plain, one line per \n) with every mask applied to each line, in order. */
export function maskOutput(text: string, masks: readonly { regex: RegExp; replacement: string }[]): string {
  return text
    .split('\n')
    .map((line) => masks.reduce((masked, mask) => masked.replace(mask.regex, () => mask.replacement), line))
    .join('\n');
}
