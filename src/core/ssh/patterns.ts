// OpenSSH pattern matching (match.c): `*` matches any run of characters, `?` exactly one,
// everything else itself, case-sensitively. The ssh-config package's glob() differs: its `?`
// also matches nothing and it splits Host patterns on commas, which ssh does not.

/** match_pattern(): one pattern, no negation. */
export function matchPattern(text: string, pattern: string): boolean {
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** True when a pattern has no wildcard and no negation: it names one host. */
export function isExactPattern(pattern: string): boolean {
  return pattern !== '' && !/[*?!]/.test(pattern);
}

/**
 * The patterns of one `Host` line (whitespace-separated): no match when a `!pattern` matches,
 * else the first positive pattern that matches, else undefined.
 */
export function matchHostPatterns(host: string, patterns: readonly string[]): string | undefined {
  let matched: string | undefined;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    if (matchPattern(host, negated ? raw.slice(1) : raw)) {
      if (negated) return undefined;
      matched ??= raw;
    }
  }
  return matched;
}

/** match_pattern_list(): a comma-separated list as `Match host a,!b` takes; optionally case-insensitive. */
export function matchPatternList(text: string, list: string, ignoreCase = false): boolean {
  const subject = ignoreCase ? text.toLowerCase() : text;
  let matched = false;
  for (const item of list.split(',')) {
    const raw = ignoreCase ? item.trim().toLowerCase() : item.trim();
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    if (matchPattern(subject, negated ? raw.slice(1) : raw)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
