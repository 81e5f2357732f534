import { problems } from '../errors/problem.errors.js';
import { isUploadedFile, type MultipartBody } from '../http/multipart.js';
import { defineRoute, type QueryValue, type RouteDef } from '../http/route.js';
import { CLIENT_LOGO_MAX_BYTES, type ClientLogoService, type LogoVariant } from './client-logo.service.js';

/** pocket-id-api.md §4.10: logos may be cached by anyone, unless the caller asks with `skipCache`. */
export const CLIENT_LOGO_CACHE_CONTROL = 'public, max-age=900, stale-while-revalidate=43200';

/**
 * Served with every SVG logo. An SVG opened directly is a document that could run script in our origin;
 * `sandbox` gives it an opaque origin with scripts disabled and `default-src 'none'` lets it load
 * nothing, whatever the upload check (checks/svg-logo.check.ts) might have missed. Inline styles and
 * embedded `data:` rasters stay allowed so the logo still renders. Inside an `<img>` (how the UI shows
 * logos) a browser never runs an SVG's script anyway.
 */
export const SVG_LOGO_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

type IdParams = { id: string };
type LogoQuery = { light?: string; skipCache?: QueryValue };

const logoQuerySchema = {
  type: 'object',
  properties: { light: { type: 'string', enum: ['true', 'false'] } },
} as const;

/** `?light=true` (the default) or `?light=false`. */
const variantOf = (query: LogoQuery): LogoVariant => (query.light === 'false' ? 'dark' : 'light');

/**
 * Client logos (pocket-id-api.md §4.10): public read with the dark logo falling back to the light one,
 * upload (multipart `file`, ≤ 2 MiB) and delete by an admin.
 */
export function clientLogoRoutes(deps: { logos: ClientLogoService }): RouteDef[] {
  const { logos } = deps;
  return [
    defineRoute<IdParams, unknown, LogoQuery>({
      name: 'oidc-clients.logo',
      method: 'GET',
      path: '/api/oidc/clients/:id/logo',
      auth: 'public',
      schema: { query: logoQuerySchema },
      tags: ['oidc-clients'],
      summary: "A client's light logo, or with `light=false` its dark one (else the light one)",
      async handler(req) {
        const logo = await logos.logo(req.params.id, variantOf(req.query));
        const headers: Record<string, string> = {
          'content-type': logo.contentType,
          'x-content-type-options': 'nosniff',
          'last-modified': logo.updatedAt.toUTCString(),
        };
        if (req.query.skipCache === undefined) headers['cache-control'] = CLIENT_LOGO_CACHE_CONTROL;
        if (logo.contentType === 'image/svg+xml') headers['content-security-policy'] = SVG_LOGO_CSP;
        return { status: 200, headers, body: logo.bytes };
      },
    }),
    defineRoute<IdParams, MultipartBody, LogoQuery>({
      name: 'oidc-clients.logo.update',
      method: 'POST',
      path: '/api/oidc/clients/:id/logo',
      auth: 'admin',
      body: 'multipart',
      fileLimit: CLIENT_LOGO_MAX_BYTES,
      schema: { query: logoQuerySchema },
      tags: ['oidc-clients'],
      summary: 'Upload a client logo (multipart `file`: PNG, JPEG, WebP, GIF or SVG, ≤ 2 MiB)',
      async handler(req) {
        const file = req.body.file;
        if (!isUploadedFile(file)) {
          throw problems.validationFailed([{ field: 'file', code: 'required', message: 'is required' }]);
        }
        await logos.upload(req.params.id, variantOf(req.query), file);
        return { status: 204 };
      },
    }),
    defineRoute<IdParams, unknown, LogoQuery>({
      name: 'oidc-clients.logo.delete',
      method: 'DELETE',
      path: '/api/oidc/clients/:id/logo',
      auth: 'admin',
      schema: { query: logoQuerySchema },
      tags: ['oidc-clients'],
      summary: 'Remove a client logo (light, or with `light=false` the dark one)',
      async handler(req) {
        await logos.remove(req.params.id, variantOf(req.query));
        return { status: 204 };
      },
    }),
  ];
}
