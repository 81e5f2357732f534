import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemFileStore } from './filesystem-file-store.js';

describe('FilesystemFileStore', () => {
  let parent: string;
  let root: string;
  let store: FilesystemFileStore;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'lk-files-'));
    root = join(parent, 'uploads');
    store = new FilesystemFileStore(root);
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes under UPLOAD_PATH in Pocket ID’s layout and reads back bytes, type and time', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await store.put('profile-pictures/u1.png', bytes, 'image/png');
    expect(await readdir(join(root, 'profile-pictures'))).toEqual(['u1.png']);
    const got = await store.get('profile-pictures/u1.png');
    expect(got?.bytes.equals(bytes)).toBe(true);
    expect(got?.contentType).toBe('image/png');
    expect(got?.updatedAt).toBeInstanceOf(Date);
  });

  it('replaces atomically, leaving no temporary file behind', async () => {
    await store.put('a/b.png', Buffer.from('one'), 'image/png');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.put('a/b.png', Buffer.from(`v${i}`), 'image/png')),
    );
    expect(await readdir(join(root, 'a'))).toEqual(['b.png']);
    expect((await store.get('a/b.png'))?.bytes.toString()).toMatch(/^v\d$/);
  });

  it('returns null for an absent file and deletes idempotently', async () => {
    expect(await store.get('nothing/here.png')).toBeNull();
    await store.put('x.jpg', Buffer.from('x'), 'image/jpeg');
    expect((await store.get('x.jpg'))?.contentType).toBe('image/jpeg');
    await store.delete('x.jpg');
    expect(await store.get('x.jpg')).toBeNull();
    await expect(store.delete('x.jpg')).resolves.toBeUndefined();
  });

  it('makes path traversal impossible: no key reaches outside UPLOAD_PATH', async () => {
    await writeFile(join(parent, 'secret.png'), 'secret');
    const escapes = [
      '../secret.png',
      'profile-pictures/../../secret.png',
      '/etc/passwd',
      `${parent}/secret.png`,
      '..',
      '.',
      'a/./b.png',
      'a//b.png',
      'a\\..\\..\\secret.png',
      '.hidden',
      'a/\0b.png',
      '',
      'x'.repeat(2000),
    ];
    for (const path of escapes) {
      await expect(store.get(path), path).rejects.toThrow(/Invalid file path/);
      await expect(store.put(path, Buffer.from('pwned'), 'image/png'), path).rejects.toThrow(
        /Invalid file path/,
      );
      await expect(store.delete(path), path).rejects.toThrow(/Invalid file path/);
    }
    expect(await readdir(parent)).toEqual(['secret.png']);
  });
});
