import { checkFilePath, type FileStore, type StoredFile } from '@latchkey/core';
import { FileBlobEntity } from '../entities/file-blob.entity.js';
import type { LatchkeyOrm } from '../orm.js';
import { currentEm } from '../unit-of-work.js';

/**
 * `FILE_BACKEND=database`: files in the `file_blobs` table, so every instance on one database sees the
 * same uploads. A write is one upsert (atomic on both engines); reads go past the identity map, since
 * another instance may have written since.
 */
export class MikroOrmFileStore implements FileStore {
  constructor(private readonly orm: LatchkeyOrm) {}

  async put(path: string, bytes: Buffer, contentType: string): Promise<void> {
    await currentEm(this.orm)
      .createQueryBuilder(FileBlobEntity)
      .insert({
        path: checkFilePath(path),
        data: bytes,
        size: bytes.length,
        contentType,
        updatedAt: new Date(),
      })
      .onConflict('path')
      .merge(['data', 'size', 'contentType', 'updatedAt'])
      .execute('run');
  }

  async get(path: string): Promise<StoredFile | null> {
    const row = await currentEm(this.orm)
      .createQueryBuilder(FileBlobEntity)
      .select(['data', 'contentType', 'updatedAt'])
      .where({ path: checkFilePath(path) })
      .execute('get');
    if (!row) return null;
    return {
      bytes: Buffer.from(row.data),
      contentType: row.contentType ?? 'application/octet-stream',
      updatedAt: new Date(row.updatedAt),
    };
  }

  async delete(path: string): Promise<void> {
    await currentEm(this.orm).nativeDelete(FileBlobEntity, { path: checkFilePath(path) });
  }
}
