import { ProblemError, problems } from '../errors/problem.errors.js';
import { mediaTypeOf } from './body.js';

/**
 * `multipart/form-data` bodies (pocket-id-api.md §1.1: uploads send the field `file`).
 *
 * Parsed with the WHATWG `Request#formData()` that Node ships (undici): a standard, maintained parser
 * that needs no dependency. Core reads the raw bytes first with the route's cap (CONVENTIONS: core parses
 * from raw bytes), so the whole body is in memory already and a streaming parser would buy nothing.
 */

/** One uploaded file part. */
export interface UploadedFile {
  /** The part's filename as the client sent it; never used as a path. */
  filename: string;
  /** The part's declared Content-Type (lower-cased, may be empty); not trusted, only reported. */
  contentType: string;
  bytes: Buffer;
}

/**
 * A parsed multipart body: text fields as strings, file parts as {@link UploadedFile}. A repeated name
 * keeps its first part, as Go's `FormFile`/`PostForm` (and so Pocket ID) do.
 */
export type MultipartBody = Record<string, string | UploadedFile>;

/** Default cap of one file part, and Pocket ID's limit on its uploads (2 MiB). */
export const DEFAULT_FILE_LIMIT = 2 * 1024 * 1024;

/** Room for the multipart framing and small text fields around the file parts. */
export const MULTIPART_OVERHEAD = 64 * 1024;

/** 413 `file_too_large` with `details.max_size` in bytes (pocket-id-api.md §1.2). */
export const fileTooLarge = (maxSize: number): ProblemError =>
  new ProblemError({
    status: 413,
    code: 'file_too_large',
    detail: `The file is larger than ${maxSize} bytes`,
    details: { max_size: maxSize },
  });

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).bytes);
}

export async function parseMultipart(
  contentType: string | undefined,
  raw: Buffer,
  fileLimit: number,
): Promise<MultipartBody> {
  const out: MultipartBody = Object.create(null);
  if (raw.length === 0) return out;
  if (mediaTypeOf(contentType) !== 'multipart/form-data') {
    throw problems.invalidRequestBody('The request body must be multipart/form-data');
  }
  let form: FormData;
  try {
    form = await new Request('http://latchkey.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType! },
      body: raw,
    }).formData();
  } catch (error) {
    throw problems.invalidRequestBody(`The multipart body is malformed: ${(error as Error).message}`);
  }
  for (const [name, value] of form) {
    if (name in out) continue;
    if (typeof value === 'string') {
      out[name] = value;
      continue;
    }
    if (value.size > fileLimit) throw fileTooLarge(fileLimit);
    out[name] = {
      filename: value.name,
      contentType: value.type.toLowerCase(),
      bytes: Buffer.from(await value.arrayBuffer()),
    };
  }
  return out;
}
