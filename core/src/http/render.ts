import { STATUS_CODES } from 'node:http';
import { OAuthError } from '../errors/oauth.errors.js';
import { ProblemError, problems, type FieldError } from '../errors/problem.errors.js';
import type { ErrorStyle, HttpResult } from './route.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): HttpResult {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** Like `json`, for a body already serialised (a cached document). */
export function jsonText(
  status: number,
  text: string,
  headers: Record<string, string | string[]> = {},
): HttpResult {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: text };
}

/** The body of every problem answer: what API clients (the UI among them) read from an error. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldError[];
  /** Pocket ID's message member: `detail`, capitalised. */
  error: string;
  request_id: string;
  details?: Record<string, unknown>;
}

/** RFC 9457 problem details plus Pocket ID's error members (ARCHITECTURE: Errors). */
export function renderProblem(problem: ProblemError, requestId: string): HttpResult {
  const details: Record<string, unknown> = { ...problem.details };
  if (problem.errors.length > 0) details.fields = problem.errors;
  const body: ProblemBody = {
    type: `urn:latchkey:error:${problem.code}`,
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    errors: problem.errors,
    error: capitalize(problem.detail),
    request_id: requestId,
  };
  if (Object.keys(details).length > 0) body.details = details;
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...problem.headers },
    body: JSON.stringify(body),
  };
}

/** RFC 6749 §5.2 error JSON; never cached. */
export function renderOAuthError(error: OAuthError): HttpResult {
  return json(
    error.status,
    { error: error.error, error_description: error.message },
    { ...NO_STORE, ...error.headers },
  );
}

/**
 * Renders any thrown value in the route's style. Only ProblemError and OAuthError are shown to the
 * client; anything else is an unexpected fault, reported as internal_error / server_error while its
 * cause goes to the log (`onUnexpected`).
 */
export function renderError(
  error: unknown,
  style: ErrorStyle,
  requestId: string,
  onUnexpected: (error: unknown) => void,
): HttpResult {
  if (style === 'oauth') {
    if (error instanceof OAuthError) return renderOAuthError(error);
    if (error instanceof ProblemError && error.status < 500) {
      // A parse failure before the endpoint ran (bad body, too large): still an RFC 6749 answer.
      return json(
        error.status,
        { error: 'invalid_request', error_description: error.message },
        { ...NO_STORE, ...error.headers },
      );
    }
    onUnexpected(error);
    return renderOAuthError(new OAuthError('server_error', 'The server encountered an unexpected condition'));
  }
  if (error instanceof ProblemError) return renderProblem(error, requestId);
  if (error instanceof OAuthError) {
    return renderProblem(
      new ProblemError({ status: error.status, code: error.error, detail: error.message }),
      requestId,
    );
  }
  onUnexpected(error);
  return renderProblem(problems.internal(), requestId);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
