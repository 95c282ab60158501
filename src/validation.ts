import type { z } from 'zod';

/** Every zod issue as "path: message", ready for a 400 body or a log line. */
export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/** Strings and keys visited before giving up on a pathological body. */
const MAX_VISITS = 1_000_000;

/**
 * Text no store can keep: NUL characters (PostgreSQL refuses them) and unpaired surrogates (no
 * UTF-8 for them). Walks a parsed JSON value without recursion, however deep, and names the path
 * of each bad string or key, a few at most.
 */
export function unreadableText(value: unknown, limit = 10): string[] {
  const problems: string[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  const check = (text: string, path: string, what: string) => {
    if (text.includes('\u0000')) problems.push(`${path || '(body)'}: ${what} contains a NUL character`);
    else if (!text.isWellFormed())
      problems.push(`${path || '(body)'}: ${what} contains an unpaired surrogate`);
  };
  for (let visits = 0; stack.length > 0 && problems.length < limit && visits < MAX_VISITS; visits++) {
    const { value: v, path } = stack.pop() as { value: unknown; path: string };
    if (typeof v === 'string') check(v, path, 'the text');
    else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) stack.push({ value: item, path: `${path}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        check(key, at, 'the key');
        stack.push({ value: item, path: at });
      }
    }
  }
  return problems;
}
