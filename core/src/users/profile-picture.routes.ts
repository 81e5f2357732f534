import { problems } from '../errors/problem.errors.js';
import { isUploadedFile, type MultipartBody, type UploadedFile } from '../http/multipart.js';
import { defineRoute, type QueryValue, type RouteDef } from '../http/route.js';
import type { ProfilePictureService } from './profile-picture.service.js';
import { userNotFound } from './user.errors.js';
import type { UserRepository } from './user.repository.port.js';

/** pocket-id-api.md §1.6: images may be cached by anyone, unless the caller asks with `skipCache`. */
export const IMAGE_CACHE_CONTROL = 'public, max-age=900, stale-while-revalidate=3600';

/** Pocket ID's upload cap for pictures; a larger file answers 413 `file_too_large`. */
export const PROFILE_PICTURE_MAX_BYTES = 2 * 1024 * 1024;

/** §1.1: the upload is the multipart field `file`; missing → 400 `validation_failed`, `file`, `required`. */
function requireFile(body: MultipartBody): UploadedFile {
  const file = body.file;
  if (!isUploadedFile(file)) {
    throw problems.validationFailed([{ field: 'file', code: 'required', message: 'is required' }]);
  }
  return file;
}

/**
 * Profile pictures (pocket-id-api.md §4.3): public read by user id, upload and delete by the user
 * themself (`/me`) or by an admin (`/:id`).
 */
export function profilePictureRoutes(deps: {
  users: Pick<UserRepository, 'findById'>;
  pictures: ProfilePictureService;
}): RouteDef[] {
  const { users, pictures } = deps;
  const findUser = async (id: string) => (await users.findById(id)) ?? Promise.reject(userNotFound());
  const upload = {
    method: 'PUT' as const,
    body: 'multipart' as const,
    fileLimit: PROFILE_PICTURE_MAX_BYTES,
    tags: ['users'],
  };
  return [
    defineRoute<{ userId: string }, unknown, Record<string, QueryValue>>({
      name: 'users.profile-picture',
      method: 'GET',
      path: '/api/users/:userId/profile-picture.png',
      auth: 'public',
      schema: {
        params: {
          type: 'object',
          properties: { userId: { type: 'string', format: 'uuid' } },
          required: ['userId'],
        },
      },
      tags: ['users'],
      summary: 'A user’s profile picture (PNG): the uploaded one, else their initials',
      async handler(req) {
        const png = await pictures.picture(await findUser(req.params.userId));
        const headers: Record<string, string> = { 'content-type': 'image/png' };
        if (req.query.skipCache === undefined) headers['cache-control'] = IMAGE_CACHE_CONTROL;
        return { status: 200, headers, body: png };
      },
    }),
    defineRoute<Record<string, string>, MultipartBody>({
      ...upload,
      name: 'users.me.profile-picture.update',
      path: '/api/users/me/profile-picture',
      auth: 'user',
      summary: 'Upload the signed-in user’s picture (multipart `file`: PNG, JPEG or WebP, ≤ 2 MiB)',
      async handler(req) {
        await pictures.upload(req.auth!.user.id, requireFile(req.body));
        return { status: 204 };
      },
    }),
    defineRoute<{ id: string }, MultipartBody>({
      ...upload,
      name: 'users.profile-picture.update',
      path: '/api/users/:id/profile-picture',
      auth: 'admin',
      summary: 'Upload a user’s picture (multipart `file`: PNG, JPEG or WebP, ≤ 2 MiB)',
      async handler(req) {
        const file = requireFile(req.body);
        await pictures.upload((await findUser(req.params.id)).id, file);
        return { status: 204 };
      },
    }),
    defineRoute({
      name: 'users.me.profile-picture.delete',
      method: 'DELETE',
      path: '/api/users/me/profile-picture',
      auth: 'user',
      tags: ['users'],
      summary: 'Remove the signed-in user’s picture (back to their initials)',
      async handler(req) {
        await pictures.remove(req.auth!.user.id);
        return { status: 204 };
      },
    }),
    defineRoute<{ id: string }>({
      name: 'users.profile-picture.delete',
      method: 'DELETE',
      path: '/api/users/:id/profile-picture',
      auth: 'admin',
      tags: ['users'],
      summary: 'Remove a user’s picture (back to their initials)',
      async handler(req) {
        await pictures.remove((await findUser(req.params.id)).id);
        return { status: 204 };
      },
    }),
  ];
}
