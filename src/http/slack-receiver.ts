import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  type BufferedIncomingMessage,
  defaultBodyLimit,
  ErrorCode,
  HTTPModuleFunctions,
  HTTPReceiver,
  type HTTPReceiverOptions,
  type Logger,
  type ReceiverDispatchErrorHandlerArgs,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import { decodeUtf8, header, readBodyOrRefuse, sendProblems } from './respond.ts';
import {
  SLACK_SIGNATURE_HEADER,
  SLACK_SIGNING,
  SLACK_TIMESTAMP_HEADER,
  verifySignedRequest,
} from './signature.ts';
import { slackEnvelopeProblems } from './slack-envelope.ts';

const SLACK_EVENTS_PATH = '/slack/events';
const FORM = 'application/x-www-form-urlencoded';

/** The request's path, or null when its URL cannot be parsed (answered 400). */
function pathOf(req: IncomingMessage): string | null {
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    decodeURIComponent(path);
    return path;
  } catch {
    return null;
  }
}

/** Slack's SSL check is the one request Slack does not sign; Bolt answers it (and drops the rest). */
function isSslCheck(req: IncomingMessage, text: string): boolean {
  return req.headers['content-type'] === FORM && parseQuery(text).ssl_check === '1';
}

/** Parsed the way Bolt will parse it (HTTPModuleFunctions), or the reason it cannot be. */
function parsePayload(req: BufferedIncomingMessage): { body: unknown } | { problem: string } {
  try {
    return { body: HTTPModuleFunctions.parseHTTPRequestBody(req) };
  } catch (error) {
    return { problem: `malformed payload: ${(error as Error).message}` };
  }
}

/**
 * Everything about a request to /slack/events that can be checked before Bolt reads it: size,
 * signature and timestamp (within five minutes either way, over the raw bytes), UTF-8, and the
 * fields Bolt dereferences. Answers the request itself and returns false when it fails.
 */
async function admit(
  signingSecret: string,
  log: Logger,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const raw = await readBodyOrRefuse(req, res, defaultBodyLimit);
  if (!raw) return false;
  // Bolt reads a request's body only once: it finds this one already read.
  const buffered = Object.assign(req, { rawBody: raw }) as BufferedIncomingMessage;
  const text = decodeUtf8(raw);
  if (text !== null && isSslCheck(req, text)) return true;
  const signed = verifySignedRequest(
    SLACK_SIGNING,
    signingSecret,
    { timestamp: header(req, SLACK_TIMESTAMP_HEADER), signature: header(req, SLACK_SIGNATURE_HEADER) },
    raw,
  );
  if (!signed.ok) {
    log.warn(`Refused a Slack request: ${signed.problem}`);
    sendProblems(res, 401, 'invalid signature', [signed.problem]);
    return false;
  }
  const parsed = text === null ? { problem: 'the body is not valid UTF-8' } : parsePayload(buffered);
  const problems = 'problem' in parsed ? [parsed.problem] : slackEnvelopeProblems(parsed.body);
  if (problems.length > 0) {
    log.warn(`Refused a signed Slack request that cannot be handled: ${problems.slice(0, 5).join('; ')}`);
    sendProblems(res, 400, 'invalid Slack payload', problems);
    return false;
  }
  return true;
}

/** Unknown paths get 404 and unparseable ones 400, both with a JSON reason; anything else is logged. */
function dispatchError(log: Logger) {
  return ({ error, response }: ReceiverDispatchErrorHandlerArgs): void => {
    if (response.headersSent) response.end();
    else if ((error as { code?: string }).code === ErrorCode.HTTPReceiverDeferredRequestError)
      sendProblems(response, 404, 'not found');
    else {
      log.error(`A request could not be dispatched: ${error.message}`);
      sendProblems(response, 500, 'internal error');
    }
  };
}

/**
 * What Bolt could not process outside any listener: acknowledged (Slack must not retry what can
 * never work) and logged once. A failed authorization keeps Bolt's 401.
 */
function processEventError(log: Logger) {
  return async ({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    log.error(`A Slack request could not be processed: ${error.message}`);
    if (response.headersSent) return false;
    if ((error as { code?: string }).code === ErrorCode.AuthorizationError) {
      sendProblems(response, 401, 'not authorized');
      return true;
    }
    response.writeHead(200);
    response.end();
    return true;
  };
}

/**
 * Bolt's HTTPReceiver with a guard in front of /slack/events (see `admit`) and JSON answers for
 * what it cannot route. Bolt's own checks stay: they find nothing left to refuse.
 */
export class GuardedHTTPReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions & { signingSecret: string; logger: Logger }) {
    super({
      ...options,
      dispatchErrorHandler: dispatchError(options.logger),
      processEventErrorHandler: processEventError(options.logger),
    });
    const bolt = this.requestListener;
    const log = options.logger;
    this.requestListener = (req, res) => {
      const path = pathOf(req);
      if (path === null) {
        sendProblems(res, 400, 'invalid request URL');
        return;
      }
      if (path !== SLACK_EVENTS_PATH || req.method !== 'POST') {
        bolt(req, res);
        return;
      }
      admit(options.signingSecret, log, req, res)
        .then((admitted) => admitted && bolt(req as BufferedIncomingMessage, res))
        .catch((error: unknown) => {
          log.error(`A Slack request failed before Bolt read it: ${(error as Error).message}`);
          if (!res.headersSent) sendProblems(res, 500, 'internal error');
        });
    };
  }
}
