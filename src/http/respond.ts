import type { IncomingMessage, ServerResponse } from 'node:http';
import { unreadableText } from '../validation.ts';

export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The sender went away before the body was complete: there is nobody to answer. */
export class BodyAbortedError extends Error {}

/**
 * Reads the raw request body as bytes, refusing more than `limit`: past it, reading stops (the rest
 * is never buffered) and BodyTooLargeError is thrown; answer it with `refuseTooLarge`.
 */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(new BodyTooLargeError(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(new BodyAbortedError(error.message));
    const onClose = () => done(new BodyAbortedError('the connection closed before the body was complete'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * 413, and the connection is closed: the rest of the body was never read, so the connection
 * cannot carry another request (a keep-alive client would wait on it for nothing).
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, error: BodyTooLargeError): void {
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  res.once('finish', () => req.socket.destroy());
  sendProblems(res, 413, 'request body too large', [error.message]);
}

/**
 * The raw body, or null when it was answered instead: 413 (connection closed) when too large,
 * nothing at all when the sender went away before it was complete.
 */
export async function readBodyOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limit?: number,
): Promise<Buffer | null> {
  try {
    return await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) refuseTooLarge(req, res, error);
    else if (error instanceof BodyAbortedError) res.destroy();
    else throw error;
    return null;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or null when its bytes are not valid UTF-8 (never silently replaced). */
export function decodeUtf8(raw: Buffer): string | null {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return null;
  }
}

/** One header's value (the first, when it was sent several times). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The error body every endpoint uses: a summary and every problem found. */
export function sendProblems(
  res: ServerResponse,
  status: number,
  error: string,
  problems: string[] = [],
): void {
  sendJson(res, status, { error, problems });
}

export type Read<T> = { ok: true; body: T } | { ok: false };

/**
 * The body as JSON: strict UTF-8, then JSON, then no text a store cannot keep (NUL, unpaired
 * surrogates). Each failure is a 400 naming the problem.
 */
export function parseJsonBody(raw: Buffer, res: ServerResponse): Read<unknown> {
  const text = decodeUtf8(raw);
  if (text === null) {
    sendProblems(res, 400, 'malformed body', ['the body is not valid UTF-8']);
    return { ok: false };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    sendProblems(res, 400, 'malformed JSON', [(error as Error).message]);
    return { ok: false };
  }
  const unreadable = unreadableText(body);
  if (unreadable.length > 0) {
    sendProblems(res, 400, 'invalid text: nothing was stored', unreadable);
    return { ok: false };
  }
  return { ok: true, body };
}
