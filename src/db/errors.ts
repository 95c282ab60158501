/**
 * Failures that mean "the database is not there right now" rather than "this request is wrong":
 * the server cannot be reached or went away, it is shutting down or starting, the database or the
 * schema is missing (recreated without migrations). Callers answer 503 and retry later.
 */
const UNAVAILABLE_CODES = new Set([
  // Node sockets
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: connection exceptions, operator intervention, too many connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // PostgreSQL: no such database, table or column (a database recreated without the schema)
  '3D000',
  '42P01',
  '42703',
]);

/** What node-postgres says when a connection drops or cannot be made in time (no code attached). */
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|client has encountered a connection error|connection ended unexpectedly|cannot use a pool after calling end|database did not answer/i;

type Coded = { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const e = error as Coded;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** The SQLSTATE or socket code of a database error, when it has one. */
export function databaseErrorCode(error: unknown): string | undefined {
  const e = error as Coded | null;
  if (typeof e?.code === 'string') return e.code;
  const inner = Array.isArray(e?.errors) ? (e.errors[0] as Coded | undefined) : undefined;
  return typeof inner?.code === 'string' ? inner.code : undefined;
}
