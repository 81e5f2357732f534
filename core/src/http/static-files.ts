import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpMethod, HttpResult } from './route.js';

/**
 * The UI's built files (ui/dist), served by core so both HTTP hosts answer byte for byte alike
 * (ARCHITECTURE "Pages and the API share one origin"):
 *
 * - a file under `/assets/` (hashed names) is cached for a year, `immutable`; a missing one is a 404;
 * - any other file of the build (`/index.html`, `/theme.js`) is `no-cache`, revalidated by its ETag;
 * - a page: a `GET`/`HEAD` that matched no route, whose `Accept` names `text/html` explicitly (a
 *   browser's navigation; a bare wildcard does not) and that is not under `/api/`, `/.well-known/`,
 *   `/authorize`, `/healthz` or `/assets/`, gets `index.html` so the UI's router takes over.
 *
 * Pages carry a CSP that runs only the app's own scripts; the API keeps core's `default-src 'none'`.
 * The files are read once when the server starts (the build is a few hundred KB), and text files are
 * gzipped then, so an answer costs no disk access or compression.
 */

/** The page CSP: own scripts, styles and connections only; images may also be data: or blob: URLs. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NOT_A_PAGE = /^\/(?:api|\.well-known|assets|authorize|healthz)(?:\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};
const COMPRESSIBLE = /^(?:text\/|application\/(?:json|manifest\+json)|image\/svg\+xml)/;

interface Variant {
  body: Buffer;
  etag: string;
}

interface StaticFile {
  type: string;
  cacheControl: string;
  identity: Variant;
  gzip?: Variant;
}

export interface StaticFileAnswer {
  /** For the request log: `ui.asset` or `ui.page`. */
  name: string;
  result: HttpResult;
}

export class StaticFiles {
  private constructor(
    private readonly files: ReadonlyMap<string, StaticFile>,
    /** Set when the build is missing: pages then answer 503 with this text. */
    private readonly missing?: string,
  ) {}

  /**
   * Reads a build directory (ui/dist). A missing directory or one without `index.html` is not an
   * error: the API still works, and pages say that the UI is not built (`built` is false).
   */
  static load(dir: string): StaticFiles {
    if (!existsSync(join(dir, 'index.html'))) {
      return new StaticFiles(
        new Map(),
        `The Latchkey UI is not built (${join(dir, 'index.html')} is missing). Run \`npm run build\` and restart the server.\n`,
      );
    }
    const files = new Map<string, StaticFile>();
    for (const file of walk(dir)) {
      const path = '/' + relative(dir, file).split(sep).join('/');
      // Build metadata (.vite/manifest.json) and dotfiles are not part of the site.
      if (path.split('/').some((part) => part.startsWith('.'))) continue;
      const body = readFileSync(file);
      const dot = path.lastIndexOf('.');
      const type = TYPES[dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : ''];
      const entry: StaticFile = {
        type: type ?? 'application/octet-stream',
        cacheControl: path.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
        identity: { body, etag: etagOf(body, '') },
      };
      if (type && COMPRESSIBLE.test(type) && body.length > 256) {
        const gz = gzipSync(body, { level: 9 });
        if (gz.length < body.length) entry.gzip = { body: gz, etag: etagOf(body, '-gz') };
      }
      files.set(path, entry);
    }
    return new StaticFiles(files);
  }

  get built(): boolean {
    return this.missing === undefined;
  }

  /** The answer for a request that matched no route, or undefined to let it be a 404 problem. */
  answer(method: HttpMethod, path: string, headers: IncomingHttpHeaders): StaticFileAnswer | undefined {
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const file = this.files.get(path);
    if (file) return { name: 'ui.asset', result: this.serve(file, headers, false) };
    if (NOT_A_PAGE.test(path) || !acceptsHtml(headers.accept)) return undefined;
    if (this.missing !== undefined) {
      return {
        name: 'ui.page',
        result: {
          status: 503,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          body: this.missing,
        },
      };
    }
    return { name: 'ui.page', result: this.serve(this.files.get('/index.html')!, headers, true) };
  }

  private serve(file: StaticFile, headers: IncomingHttpHeaders, page: boolean): HttpResult {
    const variant = file.gzip && acceptsGzip(headers['accept-encoding']) ? file.gzip : file.identity;
    const out: Record<string, string> = {
      'content-type': file.type,
      'cache-control': file.cacheControl,
      etag: variant.etag,
      // A page answer depends on Accept too: without text/html the same path is a 404 problem.
      ...(file.gzip ? { vary: page ? 'accept, accept-encoding' : 'accept-encoding' } : {}),
      ...(page || file.type.startsWith('text/html') ? { 'content-security-policy': PAGE_CSP } : {}),
    };
    if (variant === file.gzip) out['content-encoding'] = 'gzip';
    if (notModified(headers['if-none-match'], variant.etag)) {
      delete out['content-encoding'];
      return { status: 304, headers: out };
    }
    return { status: 200, headers: out, body: variant.body };
  }
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* walk(full);
    else yield full;
  }
}

function etagOf(body: Buffer, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}${suffix}"`;
}

/** Splits a header list into its members' lowercased media/coding names with their q-values. */
function members(header: string | string[] | undefined): { name: string; q: number }[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text
    .split(',')
    .map((part) => {
      const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { name, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((m) => m.name !== '');
}

/** A browser's navigation names text/html; a bare wildcard (curl, fetch) is not a page request. */
function acceptsHtml(accept: string | string[] | undefined): boolean {
  return members(accept).some((m) => m.name === 'text/html' && m.q > 0);
}

function acceptsGzip(acceptEncoding: string | string[] | undefined): boolean {
  return members(acceptEncoding).some((m) => m.name === 'gzip' && m.q > 0);
}

/** RFC 9110 §13.1.2: If-None-Match compares weakly, and `*` matches any current representation. */
function notModified(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const text = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch;
  return text.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}
