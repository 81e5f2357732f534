import { ProblemError } from '../errors/problem.errors.js';

/**
 * Client logo failures (pocket-id-api.md §1.2, §4.10): uploads answer 400 `invalid_image`, 415
 * `file_type_not_supported` (413 `file_too_large` comes from the multipart parser); a `logoUrl` the
 * server cannot use answers 422 with Pocket ID's `logo_*` codes, and `details.field` names the field.
 */
export const clientLogoProblems = {
  imageNotFound: () => new ProblemError({ status: 404, code: 'image_not_found', detail: 'Image not found' }),
  invalidImage: (reason?: string) =>
    new ProblemError({
      status: 400,
      code: 'invalid_image',
      detail: reason ? `The file is not a usable image: ${reason}` : 'The file is not a valid image',
    }),
  typeNotSupported: (format: string) =>
    new ProblemError({
      status: 415,
      code: 'file_type_not_supported',
      detail: `The file type ${format} is not supported; upload a PNG, JPEG, WebP, GIF or SVG image`,
    }),
  downloadFailed: (field: string, url: string, reason: string) =>
    new ProblemError({
      status: 422,
      code: 'logo_download_failed',
      detail: `${field}: the logo at ${url} ${reason}`,
      details: { field, url },
    }),
  tooLarge: (field: string, url: string, maxSize: number) =>
    new ProblemError({
      status: 422,
      code: 'logo_too_large',
      detail: `${field}: the logo at ${url} is larger than ${maxSize} bytes`,
      details: { field, url, max_size: maxSize },
    }),
  downloadedTypeNotSupported: (field: string, url: string, reason: string) =>
    new ProblemError({
      status: 422,
      code: 'logo_type_not_supported',
      detail: `${field}: the file at ${url} is not a usable logo: ${reason}`,
      details: { field, url },
    }),
};
