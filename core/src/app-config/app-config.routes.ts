import { problems } from '../errors/problem.errors.js';
import { json } from '../http/render.js';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { AppConfigService } from './app-config.service.js';
import { DEFAULT_FAVICON_SVG, DEFAULT_LOGO_SVG } from './default-images.js';

/** `/api/application-configuration` and the built-in `/api/application-images/{logo,favicon}`. */
export function appConfigRoutes(deps: { appConfig: AppConfigService }): RouteDef[] {
  const image = (svg: string) => ({
    status: 200,
    headers: {
      'content-type': 'image/svg+xml',
      // Pocket ID's image caching; a later upload feature changes the bytes behind these paths.
      'cache-control': 'public, max-age=900, stale-while-revalidate=3600',
    },
    body: svg,
  });
  return [
    defineRoute({
      name: 'app-config.public',
      method: 'GET',
      path: '/api/application-configuration',
      auth: 'public',
      tags: ['application-configuration'],
      summary: 'The public settings (app name, signup mode, …) as [{key, type, value}]',
      async handler() {
        return json(200, await deps.appConfig.publicList());
      },
    }),
    defineRoute({
      name: 'app-config.all',
      method: 'GET',
      path: '/api/application-configuration/all',
      auth: 'admin',
      tags: ['application-configuration'],
      summary: 'Every setting as [{key, type, value, isPublic}]',
      async handler() {
        return json(200, await deps.appConfig.fullList());
      },
    }),
    defineRoute({
      name: 'app-config.update',
      method: 'PUT',
      path: '/api/application-configuration',
      auth: 'admin',
      body: 'json',
      schema: { body: { type: 'object' } },
      tags: ['application-configuration'],
      summary: 'Replace every setting (values as strings; missing or empty ones take their default)',
      async handler(req) {
        return json(200, await deps.appConfig.update(req.body));
      },
    }),
    defineRoute<{ name: string }>({
      name: 'app-images.get',
      method: 'GET',
      path: '/api/application-images/:name',
      auth: 'public',
      database: false,
      tags: ['application-images'],
      summary: 'The logo and favicon (built-in defaults until uploads arrive)',
      async handler(req) {
        if (req.params.name === 'logo') return image(DEFAULT_LOGO_SVG);
        if (req.params.name === 'favicon') return image(DEFAULT_FAVICON_SVG);
        throw problems.notFound('Image not found', { resource: 'Image' });
      },
    }),
  ];
}
