/**
 * Where uploaded files live (ARCHITECTURE "Scale": profile pictures, client logos, app images all go
 * through this port, never straight to disk). Adapters: the filesystem under `UPLOAD_PATH` (default)
 * and the `file_blobs` table (`FILE_BACKEND=database`), which lets several instances share the files.
 *
 * Paths are keys such as `profile-pictures/<userId>.png`, the layout Pocket ID uses under its
 * `UPLOAD_PATH`, so an existing uploads directory keeps working.
 */
export interface StoredFile {
  bytes: Buffer;
  contentType: string;
  updatedAt: Date;
}

export interface FileStore {
  /** Writes the file whole, replacing any file at `path`; a reader never sees half of it. */
  put(path: string, bytes: Buffer, contentType: string): Promise<void>;
  get(path: string): Promise<StoredFile | null>;
  /** Deletes the file; deleting an absent file is not an error. */
  delete(path: string): Promise<void>;
}

/** One path segment: no `.`/`..`, no separators, no control characters, no leading dot. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$/;

/**
 * Refuses any path that is not `segment(/segment)*` of plain names: no absolute paths, no `..`, no
 * backslashes, no empty segments. Every adapter calls it, so a key that works on one works on all.
 */
export function checkFilePath(path: string): string {
  const segments = path.split('/');
  if (path.length > 1024 || !segments.every((s) => SEGMENT.test(s) && s !== '..' && s !== '.')) {
    throw new InvalidFilePathError(path);
  }
  return path;
}

export class InvalidFilePathError extends Error {
  override readonly name = 'InvalidFilePathError';
  constructor(path: string) {
    super(`Invalid file path ${JSON.stringify(path.slice(0, 100))}`);
  }
}

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

/** The content type a path's extension implies (the filesystem keeps no metadata, as in Pocket ID). */
export function contentTypeOfPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && TYPES[path.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
