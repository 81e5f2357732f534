/**
 * Errors of the admin and account API, rendered as RFC 9457 problem details plus the members of
 * Pocket ID v2.14's error body (`error`, `code`, `details`, `request_id`) so its scripts keep working.
 */
export interface FieldError {
  /** The JSON field (or query/path parameter) at fault, in the request's own naming. */
  field: string;
  /** Pocket ID's field codes where it has one: `required`, `invalid_format`, `too_short`, `too_long`, … */
  code: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  /** A stable snake_case code; Pocket ID's where it has one for the same failure. */
  code: string;
  detail: string;
  errors?: FieldError[];
  /** Extra members of Pocket ID's `details` object (`resource`, `property`, `max_size`, …). */
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;

  get detail(): string {
    return this.message;
  }

  constructor(init: ProblemInit) {
    super(init.detail);
    this.name = 'ProblemError';
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors ?? [];
    this.details = init.details ?? {};
    this.headers = init.headers ?? {};
  }
}

export const problems = {
  notFound: (detail = 'API endpoint not found', details?: Record<string, unknown>) =>
    new ProblemError({ status: 404, code: 'not_found', detail, details }),
  methodNotAllowed: (allow: string[]) =>
    new ProblemError({
      status: 405,
      code: 'method_not_allowed',
      detail: `Method not allowed; use ${allow.join(', ')}`,
      headers: { allow: allow.join(', ') },
    }),
  invalidRequestBody: (detail: string) =>
    new ProblemError({ status: 400, code: 'invalid_request_body', detail }),
  bodyTooLarge: (limit: number) =>
    new ProblemError({
      status: 413,
      code: 'request_body_too_large',
      detail: `The request body is larger than ${limit} bytes`,
      details: { max_size: limit },
    }),
  validationFailed: (errors: FieldError[]) =>
    new ProblemError({
      status: 400,
      code: 'validation_failed',
      detail: errors.map((e) => `${e.field} ${e.message}`).join(', '),
      errors,
    }),
  badUrl: () =>
    new ProblemError({ status: 400, code: 'invalid_url', detail: 'The request URL is malformed' }),
  notSignedIn: () =>
    new ProblemError({ status: 401, code: 'not_signed_in', detail: 'You are not signed in' }),
  serviceUnavailable: (detail: string) =>
    new ProblemError({ status: 503, code: 'service_unavailable', detail }),
  internal: () => new ProblemError({ status: 500, code: 'internal_error', detail: 'Something went wrong' }),
};
