import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../kernel/logger.js';
import type { RatePolicyName } from '../rate-limit/rate-limit.js';
import type { Session } from '../sessions/session.js';
import type { User } from '../users/user.js';

/** Who is calling a non-public route, set by the authenticator before the handler runs. */
export interface AuthContext {
  user: User;
  /** The browser session, when the caller used one (API keys have none). */
  session?: Session;
  via: 'cookie' | 'header' | 'apiKey';
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * Who may call a route (Pocket ID's levels, ARCHITECTURE "Framework-neutral HTTP"):
 * `public`; `user` (any signed-in user; an API key may stand in unless `apiKey: false`);
 * `browser` (session cookie only); `admin`; `client` (OAuth client authentication); `bearer` (access token).
 */
export type AuthLevel = 'public' | 'user' | 'browser' | 'admin' | 'client' | 'bearer';

/** How a route's failures are written: RFC 6749 JSON for OAuth endpoints, problem+json for the rest. */
export type ErrorStyle = 'problem' | 'oauth';

export type BodyKind = 'none' | 'form' | 'json' | 'multipart';

export interface JsonSchemaLike {
  [key: string]: unknown;
}

export interface RouteSchema {
  params?: JsonSchemaLike;
  query?: JsonSchemaLike;
  body?: JsonSchemaLike;
  response?: Record<number, JsonSchemaLike>;
}

export type QueryValue = string | string[];

/** A request as core sees it, after parsing and validation. Never a framework object. */
export interface HttpRequest<P = Record<string, string>, B = unknown, Q = Record<string, QueryValue>> {
  method: HttpMethod;
  /** The path without the query string, still percent-encoded as received. */
  path: string;
  /** The raw request target as received (`/path?query`), so repeated parameters survive. */
  url: string;
  params: P;
  query: Q;
  headers: IncomingHttpHeaders;
  body: B;
  /** The raw bytes, for routes that verify signatures or need them as sent. */
  rawBody: Buffer;
  /** The client's address, `TRUST_PROXY`-aware. */
  ip: string;
  cookies: Record<string, string>;
  /** Set on non-public routes; undefined on public ones. */
  auth?: AuthContext;
}

/** What a handler returns; core adds the common headers and writes the body. */
export interface HttpResult {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/**
 * Per-request context. The single place that decides what a request sees (organizations will add the
 * tenant here); code asks it for the issuer rather than reading a constant (ARCHITECTURE: Organizations).
 */
export interface RequestScope {
  readonly requestId: string;
  readonly issuer: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export interface RouteDef<P = any, B = any, Q = any> {
  /** Stable dotted name, for logs, metrics and urlFor(): `oidc.token`. */
  name: string;
  method: HttpMethod | HttpMethod[];
  /** find-my-way syntax: `/api/oidc/clients/:id`. */
  path: string;
  auth: AuthLevel;
  /** May an `X-API-Key` stand in for the session on user/admin routes (default true, as in Pocket ID). */
  apiKey?: boolean;
  body?: BodyKind;
  /** Largest accepted body in bytes; defaults to the app's `defaultBodyLimit`. */
  bodyLimit?: number;
  /**
   * `multipart` routes: the largest accepted file part in bytes (default 2 MiB, Pocket ID's cap). The
   * body cap then defaults to this plus room for the framing, and either limit answers Pocket ID's
   * 413 `file_too_large` with `details.max_size` = this limit, not `request_body_too_large`.
   */
  fileLimit?: number;
  errors?: ErrorStyle;
  /**
   * OAuth endpoints reject a parameter sent twice (RFC 6749 §3.1, §3.2): set for every protocol route.
   */
  rejectRepeatedParams?: boolean;
  schema?: RouteSchema;
  /**
   * A rate-limit policy on top of the broad `api` one (Pocket ID §8), or `false` to exempt the route
   * from rate limiting altogether (`/healthz`).
   */
  rateLimit?: RatePolicyName | false;
  /**
   * Set `false` for routes that never touch repositories (discovery, JWKS): they skip the per-request
   * unit of work, which is most of the cost of such a cheap answer.
   */
  database?: boolean;
  /** OpenAPI summary and tags. */
  summary?: string;
  tags?: string[];
  handler(req: HttpRequest<P, B, Q>, scope: RequestScope): Promise<HttpResult>;
}

/** The caller's address and user agent, as events and the audit log record them. */
export function clientInfo(req: Pick<HttpRequest, 'ip' | 'headers'>): {
  ip: string | null;
  userAgent: string | null;
} {
  const ua = req.headers['user-agent'];
  return { ip: req.ip || null, userAgent: typeof ua === 'string' ? ua : null };
}

/** Identity helper that keeps the route's generic types when declaring routes in a list. */
export function defineRoute<P = Record<string, string>, B = unknown, Q = Record<string, QueryValue>>(
  route: RouteDef<P, B, Q>,
): RouteDef<P, B, Q> {
  return route;
}

/** A request as an HTTP adapter hands it over: framework-neutral and unparsed. */
export interface IncomingHttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  /** The unread request body (Node's IncomingMessage is one); core reads it with the route's cap. */
  body: AsyncIterable<Uint8Array> | undefined;
}

/** The final answer an adapter writes as is: status, complete headers, bytes. */
export interface OutgoingHttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  /**
   * Text stays text: Node writes a string body in the same write as the headers, where a Buffer costs
   * a second one (writev), which measurably slows small JSON answers.
   */
  body: string | Buffer | undefined;
}
