import { randomBytes, randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../support/browser.js';
import { postgresAvailable } from '../../support/databases.js';
import { startServer, type TestServer } from '../../support/server.js';
import { ACCOUNT_MATRIX, aUserBody, setupAdmin, signInAs } from './account-helpers.js';

const MAX = 2 * 1024 * 1024;

/** A solid-colour image of the given format, built with sharp. */
function anImage(format: 'png' | 'jpeg' | 'webp' | 'gif', width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 220, g: 20, b: 20 } } })
    .toFormat(format)
    .toBuffer();
}

/** A multipart/form-data body, serialised by the platform's own FormData. */
async function multipart(
  parts: Record<string, Buffer | string>,
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value], { type: 'application/octet-stream' }), `${name}.bin`);
  }
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

async function upload(browser: Browser, path: string, parts: Record<string, Buffer | string>) {
  const { body, contentType } = await multipart(parts);
  return browser.request({ method: 'PUT', path, headers: { 'content-type': contentType }, body });
}

/** Profile pictures (pocket-id-api.md §4.3, §1.1, §1.2, §1.6) on both hosts; FILE_BACKEND=database on PostgreSQL. */
describe.each(ACCOUNT_MATRIX)('profile pictures on %s with %s', (httpHost, dialect) => {
  const backend = dialect === 'postgres' ? 'database' : 'filesystem';
  let server: TestServer | undefined;
  let admin: Browser;
  let adminId: string;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await postgresAvailable())) return;
    server = await startServer({ httpHost, dialect, env: { FILE_BACKEND: backend } });
    ({ browser: admin, id: adminId } = await setupAdmin(server));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const newUser = async (body: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/users', aUserBody(body));
    expect(res.status).toBe(201);
    const id: string = res.json().id;
    return { id, browser: await signInAs(server!, id) };
  };
  const pictureOf = (id: string, query = '') =>
    new Browser(server!.url).get(`/api/users/${id}/profile-picture.png${query}`);

  it('serves an initials picture by default: a public, cacheable 300×300 PNG', async ({ skip }) => {
    if (!server) return skip();
    const { id } = await newUser({ firstName: 'Ada', lastName: 'Lovelace' });
    const res = await pictureOf(id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toBe('public, max-age=900, stale-while-revalidate=3600');
    const meta = await sharp(res.body).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 300, height: 300 });
    // Drawn, not blank: the initials make the picture more than one colour.
    const { channels } = await sharp(res.body).stats();
    expect(channels.some((c) => c.max - c.min > 100)).toBe(true);

    const uncached = await pictureOf(id, '?skipCache=1');
    expect(uncached.status).toBe(200);
    expect(uncached.headers['cache-control']).toBe('private, no-store');
  });

  it('answers 400 validation_failed (userId) for a non-UUID and 404 user_not_found for an unknown user', async ({
    skip,
  }) => {
    if (!server) return skip();
    const bad = await pictureOf('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation_failed',
      details: { fields: [{ field: 'userId' }] },
    });
    const unknown = await pictureOf(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('user_not_found');
  });

  it('takes a PNG upload from the user and serves it back as a 300×300 PNG', async ({ skip }) => {
    if (!server) return skip();
    const { id, browser } = await newUser();
    const before = (await pictureOf(id)).body;
    const res = await upload(browser, '/api/users/me/profile-picture', { file: await anImage('png') });
    expect(res.status).toBe(204);

    const after = await pictureOf(id);
    expect(after.status).toBe(200);
    expect(after.body.equals(before)).toBe(false);
    expect(await sharp(after.body).metadata()).toMatchObject({ format: 'png', width: 300, height: 300 });
    const [r, g] = (await sharp(after.body).stats()).channels;
    expect(r!.mean).toBeGreaterThan(200);
    expect(g!.mean).toBeLessThan(40);

    // Stored through the configured FileStore: the uploads directory, or the shared database table.
    const file = join(server.dir, 'data/uploads/profile-pictures', `${id}.png`);
    const onDisk = await access(file).then(
      () => true,
      () => false,
    );
    const inDatabase = await server.app.storage.database.withScope(() =>
      server!.app.storage.files.get(`profile-pictures/${id}.png`),
    );
    expect(onDisk).toBe(backend === 'filesystem');
    expect(inDatabase !== null).toBe(backend === 'database');
  });

  it("removes a deleted user's stored picture", async ({ skip }) => {
    if (!server) return skip();
    const { id } = await newUser();
    expect(
      (await upload(admin, `/api/users/${id}/profile-picture`, { file: await anImage('png') })).status,
    ).toBe(204);
    const stored = () =>
      server!.app.storage.database.withScope(async () => {
        if (backend === 'database')
          return (await server!.app.storage.files.get(`profile-pictures/${id}.png`)) !== null;
        return access(join(server!.dir, 'data/uploads/profile-pictures', `${id}.png`)).then(
          () => true,
          () => false,
        );
      });
    expect(await stored()).toBe(true);
    expect((await admin.delete(`/api/users/${id}`)).status).toBe(204);
    expect(await stored()).toBe(false);
  });

  it('lets an admin upload a JPEG (or WebP) for another user', async ({ skip }) => {
    if (!server) return skip();
    const { id } = await newUser();
    for (const format of ['jpeg', 'webp'] as const) {
      const res = await upload(admin, `/api/users/${id}/profile-picture`, {
        file: await anImage(format, 200, 800),
      });
      expect(res.status, format).toBe(204);
      const meta = await sharp((await pictureOf(id)).body).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 300, height: 300 });
    }
    const unknown = await upload(admin, `/api/users/${randomUUID()}/profile-picture`, {
      file: await anImage('png'),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json().code).toBe('user_not_found');
  });

  it('refuses a non-image (400 invalid_image), another format (415) and a missing file (400 required)', async ({
    skip,
  }) => {
    if (!server) return skip();
    const { browser } = await newUser();
    const path = '/api/users/me/profile-picture';

    const text = await upload(browser, path, { file: Buffer.from('definitely not a picture') });
    expect(text.status).toBe(400);
    expect(text.json().code).toBe('invalid_image');

    const truncated = (await anImage('png')).subarray(0, 200);
    expect((await upload(browser, path, { file: truncated })).json().code).toBe('invalid_image');

    const gif = await upload(browser, path, { file: await anImage('gif') });
    expect(gif.status).toBe(415);
    expect(gif.json().code).toBe('file_type_not_supported');

    const missing = await upload(browser, path, { other: 'value' });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({
      code: 'validation_failed',
      details: { fields: [{ field: 'file', code: 'required' }] },
    });
    const empty = await browser.request({ method: 'PUT', path });
    expect(empty.status).toBe(400);
    expect(empty.json().details.fields[0]).toMatchObject({ field: 'file', code: 'required' });
  });

  it('refuses a file over 2 MiB with 413 file_too_large and details.max_size', async ({ skip }) => {
    if (!server) return skip();
    const { browser } = await newUser();
    // Just over the file limit (the body cap has room for framing), and far over it (the body cap).
    for (const size of [MAX + 1, 3 * MAX]) {
      const res = await upload(browser, '/api/users/me/profile-picture', { file: randomBytes(size) });
      expect(res.status, String(size)).toBe(413);
      expect(res.json()).toMatchObject({ code: 'file_too_large', details: { max_size: MAX } });
    }
  });

  it('lets only admins change or delete another user’s picture (403) and nobody anonymous (401)', async ({
    skip,
  }) => {
    if (!server) return skip();
    const { browser } = await newUser();
    const png = await anImage('png');
    const other = await upload(browser, `/api/users/${adminId}/profile-picture`, { file: png });
    expect(other.status).toBe(403);
    expect(other.json().code).toBe('forbidden');
    const del = await browser.delete(`/api/users/${adminId}/profile-picture`);
    expect(del.status).toBe(403);

    const anonymous = new Browser(server.url);
    const res = await upload(anonymous, '/api/users/me/profile-picture', { file: png });
    expect(res.status).toBe(401);
    expect(res.json().code).toBe('not_signed_in');
  });

  it('DELETE brings back the initials picture, for the user and for an admin', async ({ skip }) => {
    if (!server) return skip();
    const { id, browser } = await newUser();
    const initials = (await pictureOf(id)).body;
    const png = await anImage('png');

    expect((await upload(browser, '/api/users/me/profile-picture', { file: png })).status).toBe(204);
    expect((await pictureOf(id)).body.equals(initials)).toBe(false);
    expect((await browser.delete('/api/users/me/profile-picture')).status).toBe(204);
    expect((await pictureOf(id)).body.equals(initials)).toBe(true);

    expect((await upload(admin, `/api/users/${id}/profile-picture`, { file: png })).status).toBe(204);
    expect((await admin.delete(`/api/users/${id}/profile-picture`)).status).toBe(204);
    expect((await pictureOf(id)).body.equals(initials)).toBe(true);
    // Deleting again is fine.
    expect((await admin.delete(`/api/users/${id}/profile-picture`)).status).toBe(204);
  });
});
