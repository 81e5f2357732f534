import { randomUUID } from 'node:crypto';
import FindMyWay from 'find-my-way';
import type { Database } from '../storage/database.port.js';
import type { Logger } from '../kernel/logger.js';
import { OAuthError } from '../errors/oauth.errors.js';
import type { ProblemError } from '../errors/problem.errors.js';
import { problems } from '../errors/problem.errors.js';
import { parseBody, parseParams, readBody } from './body.js';
import { clientIp } from './client-ip.js';
import { DEFAULT_FILE_LIMIT, MULTIPART_OVERHEAD, fileTooLarge, parseMultipart } from './multipart.js';
import { parseCookies } from './cookies.js';
import { renderError } from './render.js';
import type {
  AuthContext,
  HttpMethod,
  HttpRequest,
  HttpResult,
  IncomingHttpRequest,
  OutgoingHttpResponse,
  QueryValue,
  RequestScope,
  RouteDef,
} from './route.js';
import { unstorableField } from './unstorable.js';
import { compileValidator, type Validator } from './validation.js';
import type { StaticFiles } from './static-files.js';

const METHODS: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const EMPTY = Buffer.alloc(0);
const NONE: Record<string, never> = Object.freeze(Object.create(null) as Record<string, never>);

/**
 * A request's scope. A class rather than an object literal with getters: a literal's accessors are
 * created anew for every request, and the logger and AbortController are made only on first use.
 */
class Scope implements RequestScope {
  private abort?: AbortController;
  private log?: Logger;
  constructor(
    readonly requestId: string,
    readonly issuer: string,
    private readonly makeLogger: () => Logger,
  ) {}
  get logger(): Logger {
    return (this.log ??= this.makeLogger());
  }
  get signal(): AbortSignal {
    return (this.abort ??= new AbortController()).signal;
  }
}

export interface HttpAppOptions {
  routes: RouteDef[];
  logger: Logger;
  database: Pick<Database, 'withScope'>;
  /** The issuer a request sees (today always APP_URL; organizations will vary it per request). */
  issuerFor(req: { path: string; headers: IncomingHttpRequest['headers'] }): string;
  /** Whether APP_URL is https: turns on HSTS. */
  secure: boolean;
  isTrustedProxy?: (ip: string) => boolean;
  /** Body cap for routes that declare none (bytes). */
  defaultBodyLimit?: number;
  /**
   * Decides whether a non-public route may run; throws a ProblemError or OAuthError to refuse.
   * Without one, every non-public route answers 401 (the accounts feature provides it).
   */
  authenticate?: (route: RouteDef, req: HttpRequest) => Promise<AuthContext>;
  /** Throws a 429 problem when the client is over a limit; absent when DISABLE_RATE_LIMITING is set. */
  rateLimit?: (route: RouteDef, ip: string) => Promise<void>;
  /** The UI's build (ui/dist): its files, and index.html for page routes that match no API route. */
  staticFiles?: StaticFiles;
}

interface CompiledRoute {
  def: RouteDef;
  params?: Validator;
  query?: Validator;
  body?: Validator;
}

/** Common headers on every answer: Pocket ID's default caching and a strict API policy. */
function baseHeaders(secure: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-opener-policy': 'same-origin',
  };
  if (secure) headers['strict-transport-security'] = 'max-age=63072000';
  return headers;
}

/**
 * The framework-neutral HTTP application: routing, body parsing, validation, authentication hooks and
 * error rendering all happen here, so every HTTP adapter only translates requests and writes answers.
 */
export class HttpApp {
  private readonly router = FindMyWay({
    ignoreTrailingSlash: false,
    caseSensitive: true,
    maxParamLength: 512,
  });
  private readonly common: Record<string, string>;
  private readonly defaultBodyLimit: number;
  readonly routes: readonly RouteDef[];

  constructor(private readonly options: HttpAppOptions) {
    this.common = baseHeaders(options.secure);
    this.defaultBodyLimit = options.defaultBodyLimit ?? 64 * 1024;
    this.routes = options.routes;
    const names = new Set<string>();
    for (const def of options.routes) {
      if (names.has(def.name)) throw new Error(`Duplicate route name ${def.name}`);
      names.add(def.name);
      const compiled: CompiledRoute = {
        def,
        params: def.schema?.params ? compileValidator(def.schema.params, 'text') : undefined,
        query: def.schema?.query ? compileValidator(def.schema.query, 'text') : undefined,
        body: def.schema?.body ? compileValidator(def.schema.body, 'body') : undefined,
      };
      const methods = new Set(Array.isArray(def.method) ? def.method : [def.method]);
      if (methods.has('GET')) methods.add('HEAD');
      for (const method of methods) {
        // A route that declares HEAD itself wins over the implicit HEAD of a GET route.
        if (method === 'HEAD' && this.router.hasRoute('HEAD', def.path)) continue;
        this.router.on(method, def.path, () => undefined, compiled);
      }
    }
  }

  /** Handles one request completely; never throws. */
  async handle(incoming: IncomingHttpRequest): Promise<OutgoingHttpResponse> {
    const started = process.hrtime.bigint();
    const headerId = incoming.headers['x-request-id'];
    const requestId = typeof headerId === 'string' && REQUEST_ID.test(headerId) ? headerId : randomUUID();
    const base = this.options.logger;
    // A child logger per request costs more than a cheap route itself (pino re-prepares its redaction),
    // so it is made only when a handler asks for it; the request line passes the id as a binding.
    let child: Logger | undefined;
    const logger = (): Logger => (child ??= base.child({ reqId: requestId }));
    const method = (incoming.method ?? 'GET').toUpperCase() as HttpMethod;
    const { path, search } = splitTarget(incoming.url);
    let routeName = 'none';
    let style: 'problem' | 'oauth' = 'problem';
    let result: HttpResult;
    try {
      if (!isDecodable(path)) throw problems.badUrl();
      const match = METHODS.includes(method) ? this.router.find(method, path) : null;
      // Only what no route claims may be a UI file or page (static-files.ts), so the API is unaffected.
      const file = match ? undefined : this.options.staticFiles?.answer(method, path, incoming.headers);
      if (file) {
        routeName = file.name;
        result = file.result;
      } else {
        if (!match) throw this.notMatched(path);
        const route = match.store as CompiledRoute;
        routeName = route.def.name;
        style = route.def.errors ?? 'problem';
        result = await this.run(route, match.params as Record<string, string | undefined>, {
          method,
          path,
          search,
          incoming,
          requestId,
          logger,
        });
      }
    } catch (error) {
      result = renderError(error, style, requestId, (cause) =>
        base.error(
          { reqId: requestId, err: cause, route: routeName },
          'unexpected error while handling a request',
        ),
      );
    }
    const response = this.finalize(result, method, requestId);
    base.info(
      {
        reqId: requestId,
        method,
        path,
        route: routeName,
        status: response.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      },
      'request',
    );
    return response;
  }

  private notMatched(path: string): ProblemError {
    const allow = METHODS.filter((m) => this.router.find(m, path));
    return allow.length > 0 ? problems.methodNotAllowed(allow) : problems.notFound();
  }

  // Not `async`, and the cheap path below awaits nothing: on Node 20 every promise pays for MikroORM's
  // AsyncLocalStorage hooks (~0.3 µs each), a real share of a route that does no I/O.
  private run(
    route: CompiledRoute,
    rawParams: Record<string, string | undefined>,
    ctx: {
      method: HttpMethod;
      path: string;
      search: string;
      incoming: IncomingHttpRequest;
      requestId: string;
      logger: () => Logger;
    },
  ): Promise<HttpResult> {
    const { def } = route;
    const kind = def.body ?? 'none';
    const headers = ctx.incoming.headers;
    const ip = clientIp(ctx.incoming.remoteAddress, headers, this.options.isTrustedProxy ?? (() => false));
    // Most requests have no query, parameters or cookies: they share one frozen empty object instead of
    // each allocating a dictionary (garbage was ~40% of a cheap route's CPU; docs/benchmarks.md).
    const query = ctx.search ? parseParams(ctx.search) : NONE;
    let params: Record<string, string> = NONE;
    for (const k in rawParams) {
      const v = rawParams[k];
      if (v === undefined) continue;
      if (params === NONE) params = {};
      params[k] = v;
    }
    const request: HttpRequest = {
      method: ctx.method,
      path: ctx.path,
      url: ctx.incoming.url,
      params,
      query,
      headers,
      body: undefined,
      rawBody: EMPTY,
      ip,
      cookies: typeof headers.cookie === 'string' ? parseCookies(headers.cookie) : NONE,
    };
    const scope: RequestScope = new Scope(
      ctx.requestId,
      this.options.issuerFor({ path: ctx.path, headers }),
      ctx.logger,
    );
    const cheap =
      kind === 'none' && (def.auth === 'public' || def.auth === 'client' || def.auth === 'bearer');
    const run = cheap
      ? () => {
          this.validate(route, request);
          return def.handler(request, scope);
        }
      : async () => {
          // Who is calling is settled before the body is read or validated: an anonymous caller learns
          // nothing about a protected route's input rules, and costs no parsing.
          // `client` and `bearer` routes authenticate inside their endpoint: client authentication reads
          // the form body, and their failures are RFC 6749 / RFC 6750 answers, not problems.
          if (def.auth !== 'public' && def.auth !== 'client' && def.auth !== 'bearer') {
            if (!this.options.authenticate) throw problems.notSignedIn();
            request.auth = await this.options.authenticate(def, request);
          }
          if (kind === 'multipart') {
            const fileLimit = def.fileLimit ?? DEFAULT_FILE_LIMIT;
            request.rawBody = await readBody(
              ctx.incoming.body,
              headers['content-length'],
              def.bodyLimit ?? fileLimit + MULTIPART_OVERHEAD,
              () => fileTooLarge(fileLimit),
            );
            request.body = await parseMultipart(headers['content-type'], request.rawBody, fileLimit);
          } else {
            if (kind !== 'none') {
              request.rawBody = await readBody(
                ctx.incoming.body,
                headers['content-length'],
                def.bodyLimit ?? this.defaultBodyLimit,
              );
            }
            request.body = parseBody(kind, headers['content-type'], request.rawBody);
          }
          this.validate(route, request);
          return def.handler(request, scope);
        };
    const go = () => (def.database === false ? run() : this.options.database.withScope(run));
    // Before the body is read: a limited client costs no parsing.
    return this.options.rateLimit ? this.options.rateLimit(def, ip).then(go) : go();
  }

  private validate(route: CompiledRoute, request: HttpRequest): void {
    const { def } = route;
    if (def.rejectRepeatedParams) {
      rejectRepeated(request.query);
      if (def.body === 'form') rejectRepeated(request.body as Record<string, QueryValue>);
    }
    // Problem routes only: OAuth endpoints refuse these characters with their own errors.
    if ((def.errors ?? 'problem') === 'problem') {
      const bad =
        unstorableField(request.params) ??
        unstorableField(request.query) ??
        (def.body === 'json' ? unstorableField(request.body) : null);
      if (bad) throw problems.validationFailed([bad]);
    }
    if (!route.params && !route.query && !route.body) return;
    const fieldErrors = [
      ...(route.params?.(request.params) ?? []),
      ...(route.query?.(request.query) ?? []),
      ...(route.body
        ? request.body === undefined
          ? [{ field: 'body', code: 'required', message: 'is required' }]
          : route.body(request.body)
        : []),
    ];
    if (fieldErrors.length === 0) return;
    if ((def.errors ?? 'problem') === 'oauth') {
      throw new OAuthError('invalid_request', fieldErrors.map((e) => `${e.field} ${e.message}`).join(', '));
    }
    throw problems.validationFailed(fieldErrors);
  }

  private finalize(result: HttpResult, method: HttpMethod, requestId: string): OutgoingHttpResponse {
    // Object.assign, not a spread: on Node 20 the spread copy plus the additions below cost ~3.5 µs per
    // request in hidden-class churn (docs/benchmarks.md), Object.assign ~0.2 µs.
    const headers: Record<string, string | string[]> = Object.assign({}, this.common);
    const own = result.headers;
    if (own) for (const k in own) headers[k.toLowerCase()] = own[k]!;
    headers['x-request-id'] = requestId;
    const noBody =
      result.status === 204 || result.status === 304 || (result.status >= 100 && result.status < 200);
    let body: string | Buffer | undefined;
    if (!noBody) {
      body = result.body ?? '';
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    } else {
      delete headers['content-length'];
      delete headers['content-type'];
    }
    // HEAD answers as GET would, without the bytes (RFC 9110 §9.3.2).
    return { status: result.status, headers, body: method === 'HEAD' ? undefined : body };
  }
}

function splitTarget(url: string): { path: string; search: string } {
  let target = url || '/';
  if (!target.startsWith('/')) {
    // absolute-form (RFC 9112 §3.2.2), e.g. from a forward proxy
    try {
      const parsed = new URL(target);
      target = parsed.pathname + parsed.search;
    } catch {
      return { path: target, search: '' };
    }
  }
  const q = target.indexOf('?');
  return q < 0 ? { path: target, search: '' } : { path: target.slice(0, q), search: target.slice(q + 1) };
}

function isDecodable(path: string): boolean {
  if (!path.startsWith('/')) return false;
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** RFC 6749 §3.1 and §3.2: "Request and response parameters MUST NOT be included more than once." */
function rejectRepeated(params: Record<string, QueryValue>): void {
  // for…in, not Object.entries: no array of pairs per request (the token endpoint checks every call).
  for (const key in params) {
    if (Array.isArray(params[key]))
      throw new OAuthError('invalid_request', `The '${key}' parameter is included more than once`);
  }
}
