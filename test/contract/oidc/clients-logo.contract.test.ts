import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { aUserBody, put, setupAdmin, signInAs } from '../accounts/account-helpers.js';
import { A_SVG, aRaster, LogoOrigin, multipart } from './clients-logo-origin.js';

const MAX = 2 * 1024 * 1024;

/** Both hosts on both databases, with each FILE_BACKEND on both databases. */
const MATRIX = [
  ['fastify', 'sqlite', 'filesystem'],
  ['express', 'sqlite', 'database'],
  ['fastify', 'postgres', 'database'],
  ['express', 'postgres', 'filesystem'],
] as const;

/** Client logos (pocket-id-api.md §4.10): upload, serve, delete, and download from a logo URL. */
describe.each(MATRIX)('client logos on %s with %s, FILE_BACKEND=%s', (httpHost, dialect, backend) => {
  let server: TestServer | undefined;
  let admin: Browser;
  let origin: LogoOrigin;
  let png: Buffer;
  let counter = 0;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    png = await aRaster('png');
    origin = await LogoOrigin.start({ png, svg: A_SVG });
    server = await startServer({ httpHost, dialect, env: { FILE_BACKEND: backend } });
    ({ browser: admin } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
    await origin?.stop();
  });

  const createClient = async (extra: Record<string, unknown> = {}) => {
    counter += 1;
    return admin.post('/api/oidc/clients', {
      name: `Logo app ${counter}`,
      callbackURLs: [`https://logo${counter}.example.com/cb`],
      ...extra,
    });
  };
  const newClientId = async (): Promise<string> => {
    const res = await createClient();
    expect(res.status).toBe(201);
    return res.json().id;
  };
  const upload = async (id: string, file: Buffer, query = '', browser = admin) => {
    const { body, contentType } = await multipart({ file });
    return browser.request({
      method: 'POST',
      path: `/api/oidc/clients/${id}/logo${query}`,
      headers: { 'content-type': contentType },
      body,
    });
  };
  const logoOf = (id: string, query = '') =>
    new Browser(server!.url).get(`/api/oidc/clients/${id}/logo${query}`);
  const stored = (key: string) =>
    server!.app.storage.database.withScope(async () => {
      if (backend === 'database') return (await server!.app.storage.files.get(key)) !== null;
      return access(join(server!.dir, 'data/uploads', key)).then(
        () => true,
        () => false,
      );
    });

  it('stores an uploaded PNG through the FileStore and serves it publicly, cacheable and nosniff', async ({
    skip,
  }) => {
    if (!server) return skip();
    const id = await newClientId();
    expect((await upload(id, png)).status).toBe(204);

    const res = await logoOf(id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('public, max-age=900, stale-while-revalidate=43200');
    expect(res.body.equals(png)).toBe(true);
    expect((await logoOf(id, '?skipCache=1')).headers['cache-control']).toBe('private, no-store');

    // Pocket ID's layout: oidc-client-images/<id>.<ext>, in the configured backend.
    expect(await stored(`oidc-client-images/${id}.png`)).toBe(true);
    const dto = (await admin.get(`/api/oidc/clients/${id}`)).json();
    expect(dto).toMatchObject({ hasLogo: true, hasDarkLogo: false });
    expect((await new Browser(server.url).get(`/api/oidc/clients/${id}/meta`)).json()).toMatchObject({
      hasLogo: true,
      hasDarkLogo: false,
    });
  });

  it('serves the dark logo, falling back to the light one, and SVGs under a sandboxing CSP', async ({
    skip,
  }) => {
    if (!server) return skip();
    const id = await newClientId();
    expect((await logoOf(id, '?light=false')).status).toBe(404);
    expect((await upload(id, png, '?light=true')).status).toBe(204);
    const fallback = await logoOf(id, '?light=false');
    expect(fallback.status).toBe(200);
    expect(fallback.body.equals(png)).toBe(true);

    expect((await upload(id, A_SVG, '?light=false')).status).toBe(204);
    const dark = await logoOf(id, '?light=false');
    expect(dark.status).toBe(200);
    expect(dark.headers['content-type']).toBe('image/svg+xml');
    expect(dark.headers['content-security-policy']).toContain('sandbox');
    expect(dark.headers['content-security-policy']).toContain("default-src 'none'");
    expect(dark.headers['x-content-type-options']).toBe('nosniff');
    expect(dark.body.equals(A_SVG)).toBe(true);
    expect(await stored(`oidc-client-images/${id}-dark.svg`)).toBe(true);
    expect((await admin.get(`/api/oidc/clients/${id}`)).json()).toMatchObject({
      hasLogo: true,
      hasDarkLogo: true,
    });
    // The light one is still the PNG.
    expect((await logoOf(id)).headers['content-type']).toBe('image/png');
  });

  it('replaces a logo of another type, removing the old file', async ({ skip }) => {
    if (!server) return skip();
    const id = await newClientId();
    expect((await upload(id, png)).status).toBe(204);
    const jpeg = await aRaster('jpeg');
    expect((await upload(id, jpeg)).status).toBe(204);
    const res = await logoOf(id);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.body.equals(jpeg)).toBe(true);
    expect(await stored(`oidc-client-images/${id}.jpg`)).toBe(true);
    expect(await stored(`oidc-client-images/${id}.png`)).toBe(false);
  });

  it('deletes one logo (404 image_not_found after), and a deleted client takes its logos along', async ({
    skip,
  }) => {
    if (!server) return skip();
    const id = await newClientId();
    expect((await upload(id, png)).status).toBe(204);
    expect((await upload(id, A_SVG, '?light=false')).status).toBe(204);

    expect((await admin.delete(`/api/oidc/clients/${id}/logo?light=false`)).status).toBe(204);
    const gone = await admin.delete(`/api/oidc/clients/${id}/logo?light=false`);
    expect(gone.status).toBe(404);
    expect(gone.json().code).toBe('image_not_found');
    expect(await stored(`oidc-client-images/${id}-dark.svg`)).toBe(false);
    expect((await admin.get(`/api/oidc/clients/${id}`)).json()).toMatchObject({
      hasLogo: true,
      hasDarkLogo: false,
    });

    expect((await admin.delete(`/api/oidc/clients/${id}`)).status).toBe(204);
    expect(await stored(`oidc-client-images/${id}.png`)).toBe(false);
    const after = await logoOf(id);
    expect(after.status).toBe(404);
    expect(after.json()).toMatchObject({ code: 'not_found', details: { resource: 'OIDC client' } });
  });

  it('answers 404 image_not_found for a client without a logo', async ({ skip }) => {
    if (!server) return skip();
    const res = await logoOf(await newClientId());
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('image_not_found');
  });

  it('judges an upload by its bytes: 400 invalid_image, 415 file_type_not_supported, 413 file_too_large', async ({
    skip,
  }) => {
    if (!server) return skip();
    const id = await newClientId();
    const notAnImage = await upload(id, Buffer.from('just text, named logo.png'));
    expect(notAnImage.status).toBe(400);
    expect(notAnImage.json().code).toBe('invalid_image');

    const truncated = await upload(id, png.subarray(0, png.length - 40));
    expect(truncated.status).toBe(400);
    expect(truncated.json().code).toBe('invalid_image');

    const scripted = await upload(
      id,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'),
    );
    expect(scripted.status).toBe(400);
    expect(scripted.json()).toMatchObject({ code: 'invalid_image' });
    expect(scripted.json().detail).toContain('script');

    const tiff = await upload(id, await aRaster('tiff'));
    expect(tiff.status).toBe(415);
    expect(tiff.json().code).toBe('file_type_not_supported');

    const tooLarge = await upload(id, Buffer.alloc(MAX + 1, 0x89));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'file_too_large', details: { max_size: MAX } });

    const { body, contentType } = await multipart({ other: 'x' });
    const missing = await admin.request({
      method: 'POST',
      path: `/api/oidc/clients/${id}/logo`,
      headers: { 'content-type': contentType },
      body,
    });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'file' }] });

    const badQuery = await upload(id, png, '?light=maybe');
    expect(badQuery.status).toBe(400);
    expect(badQuery.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'light' }] });

    expect((await upload('no-such-client', png)).status).toBe(404);
    // Nothing was stored by any of the refused uploads.
    expect((await admin.get(`/api/oidc/clients/${id}`)).json().hasLogo).toBe(false);
  });

  it('lets only admins upload or delete (401, 403); reading is public', async ({ skip }) => {
    if (!server) return skip();
    const id = await newClientId();
    const anonymous = new Browser(server.url);
    const userId = (await admin.post('/api/users', aUserBody())).json().id;
    const user = await signInAs(server, userId);
    for (const [browser, status] of [
      [anonymous, 401],
      [user, 403],
    ] as const) {
      expect((await upload(id, png, '', browser)).status).toBe(status);
      expect((await browser.delete(`/api/oidc/clients/${id}/logo`)).status).toBe(status);
    }
  });

  describe('from a logo URL', () => {
    it('downloads logoUrl and darkLogoUrl on create and update (following a redirect)', async ({ skip }) => {
      if (!server) return skip();
      const created = await createClient({ logoUrl: `${origin.url}/logo.png` });
      expect(created.status).toBe(201);
      const client = created.json();
      expect(client).toMatchObject({ hasLogo: true, hasDarkLogo: false });
      expect((await logoOf(client.id)).body.equals(png)).toBe(true);

      const updated = await put(admin, `/api/oidc/clients/${client.id}`, {
        name: client.name,
        callbackURLs: client.callbackURLs,
        darkLogoUrl: `${origin.url}/moved`,
      });
      expect(updated.status).toBe(200);
      expect(updated.json()).toMatchObject({ hasLogo: true, hasDarkLogo: true });
      const dark = await logoOf(client.id, '?light=false');
      expect(dark.headers['content-type']).toBe('image/svg+xml');
      expect(dark.body.equals(A_SVG)).toBe(true);

      // A replace without a logo URL keeps the logos.
      const kept = await put(admin, `/api/oidc/clients/${client.id}`, {
        name: client.name,
        callbackURLs: client.callbackURLs,
      });
      expect(kept.json()).toMatchObject({ hasLogo: true, hasDarkLogo: true });
    });

    it.for([
      ['too large (Content-Length)', '/huge', 'logo_too_large'],
      ['too large (streamed)', '/huge-chunked', 'logo_too_large'],
      ['not an image', '/text', 'logo_type_not_supported'],
      ['missing (404)', '/nope', 'logo_download_failed'],
      ['redirected to a metadata address', '/to-metadata', 'logo_download_failed'],
    ] as const)(
      'answers 422 naming the field when the logo is %s, and creates nothing',
      async ([, path, code], { skip }) => {
        if (!server) return skip();
        counter += 1;
        const name = `Failed logo ${counter}`;
        const res = await admin.post('/api/oidc/clients', {
          name,
          callbackURLs: ['https://x.example.com/cb'],
          logoUrl: `${origin.url}${path}`,
        });
        expect(res.status).toBe(422);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json()).toMatchObject({ code, details: { field: 'logoUrl' } });
        expect(res.json().detail).toContain('logoUrl');
        const list = await admin.get(`/api/oidc/clients?search=${encodeURIComponent(name)}`);
        expect(list.json().data).toEqual([]);
      },
    );

    it('gives up on a server that never answers: 422 logo_download_failed, not a hang or a 500', async ({
      skip,
    }) => {
      if (!server) return skip();
      const id = await newClientId();
      const res = await put(admin, `/api/oidc/clients/${id}`, {
        name: 'Hanging logo',
        darkLogoUrl: `${origin.url}/hang`,
      });
      expect(res.status).toBe(422);
      expect(res.json()).toMatchObject({ code: 'logo_download_failed', details: { field: 'darkLogoUrl' } });
      expect(res.json().detail).toMatch(/did not answer/);
    }, 20_000);

    it('refuses link-local and metadata addresses before connecting, and URLs that are not http(s)', async ({
      skip,
    }) => {
      if (!server) return skip();
      const metadata = await createClient({ logoUrl: 'http://169.254.169.254/latest/meta-data/' });
      expect(metadata.status).toBe(422);
      expect(metadata.json()).toMatchObject({ code: 'logo_download_failed', details: { field: 'logoUrl' } });
      expect(metadata.json().detail).toContain('169.254.169.254');

      const ftp = await createClient({ logoUrl: 'ftp://example.com/logo.png' });
      expect(ftp.status).toBe(400);
      expect(ftp.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'logoUrl' }] });
    });
  });
});
