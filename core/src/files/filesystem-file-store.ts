import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { checkFilePath, contentTypeOfPath, type FileStore, type StoredFile } from './file-store.port.js';

/**
 * `FILE_BACKEND=filesystem`: files under `UPLOAD_PATH`, one file per key. Writes go to a temporary file
 * in the same directory and are renamed into place (atomic on POSIX), so a concurrent reader sees the
 * old file or the new one, never a torn one. The content type follows from the extension (there is no
 * place for metadata; Pocket ID does the same), so `put`'s `contentType` is not stored.
 */
export class FilesystemFileStore implements FileStore {
  private readonly root: string;

  constructor(uploadPath: string) {
    this.root = resolve(uploadPath);
  }

  /** The absolute file for a key; the key check makes escaping the root impossible, this re-checks it. */
  private fileOf(path: string): string {
    const file = resolve(join(this.root, checkFilePath(path)));
    if (!file.startsWith(this.root + sep)) throw new Error(`File path escapes the upload directory`);
    return file;
  }

  // The content type is not stored: the extension carries it (see the class comment).
  async put(path: string, bytes: Buffer, _contentType?: string): Promise<void> {
    const file = this.fileOf(path);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes, { mode: 0o640 });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(path: string): Promise<StoredFile | null> {
    const file = this.fileOf(path);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    try {
      // One handle for both: a rename in between cannot pair one file's bytes with another's date.
      const info = await handle.stat();
      const bytes = await handle.readFile();
      return { bytes, contentType: contentTypeOfPath(path), updatedAt: info.mtime };
    } finally {
      await handle.close();
    }
  }

  async delete(path: string): Promise<void> {
    await rm(this.fileOf(path), { force: true });
  }
}
