import type { FieldError, ProblemBody } from '@latchkey/core';
import { t } from '../i18n';

/**
 * The one HTTP client of the UI. Every call goes to the same origin with the session cookie; a failed
 * call throws an `ApiError` carrying the server's problem details (RFC 9457, core's `ProblemBody`),
 * whose `detail` is what the page shows. Endpoint functions live in `endpoints.ts`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly problem: Partial<ProblemBody> | undefined,
  ) {
    super(
      problem?.detail ||
        (status === 429
          ? t('error.rateLimited')
          : status === 0
            ? t('error.network')
            : t('error.http', { status })),
    );
  }

  /** Core's stable snake_case code (`not_signed_in`, `validation_failed`, …). */
  get code(): string | undefined {
    return this.problem?.code;
  }

  get requestId(): string | undefined {
    return this.problem?.request_id;
  }

  /** Per-field errors of a `validation_failed` answer, by the request's field name. */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.problem?.errors) ? this.problem.errors : [];
  }
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (an upload) goes as multipart/form-data, its boundary set by the browser.
  const multipart = options.body instanceof FormData;
  if (options.body !== undefined && !multipart) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : multipart
            ? (options.body as FormData)
            : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    // An abort is the caller's decision, not a failure to report.
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, undefined);
  }
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
  if (response.status === 204 || response.headers.get('content-length') === '0') return undefined as T;
  return (await response.json()) as T;
}

async function readProblem(response: Response): Promise<Partial<ProblemBody> | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json/.test(type)) return undefined;
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as Partial<ProblemBody>) : undefined;
  } catch {
    return undefined;
  }
}

export const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal });
export const post = <T>(path: string, body?: unknown, signal?: AbortSignal) =>
  request<T>('POST', path, { body, signal });
export const put = <T>(path: string, body?: unknown) => request<T>('PUT', path, { body });
export const patch = <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body });
export const del = <T>(path: string) => request<T>('DELETE', path);
