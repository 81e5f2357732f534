import { defineEntity, p } from '@mikro-orm/core';

/** The database FileStore's files (Pocket ID's `storage` table, `FILE_BACKEND=database`). */
export const FileBlobEntity = defineEntity({
  name: 'FileBlob',
  tableName: 'file_blobs',
  properties: {
    path: p.string().length(1024).primary(),
    data: p.blob(),
    size: p.bigint('number'),
    contentType: p.string().nullable(),
    updatedAt: p.datetime(),
  },
});
