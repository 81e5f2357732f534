import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

describeEachDialect('MikroOrmFileStore', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;

  beforeAll(async () => {
    // Two instances on one database: what FILE_BACKEND=database is for.
    a = await db.open();
    b = await db.open();
  });

  it('returns null for an absent file', async () => {
    expect(await a.files.get('profile-pictures/absent.png')).toBeNull();
  });

  it('stores binary bytes intact, with their type and time, visible to the other instance', async () => {
    const bytes = randomBytes(300_000);
    const before = Date.now();
    await a.files.put('profile-pictures/u1.png', bytes, 'image/png');
    const got = await b.files.get('profile-pictures/u1.png');
    expect(got?.bytes.equals(bytes)).toBe(true);
    expect(got?.contentType).toBe('image/png');
    expect(got?.updatedAt).toBeInstanceOf(Date);
    expect(got!.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('replaces a file on put and forgets it on delete (twice is fine)', async () => {
    await a.files.put('logos/x.webp', Buffer.from('one'), 'image/webp');
    await b.files.put('logos/x.webp', Buffer.from('two'), 'image/png');
    const got = await a.files.get('logos/x.webp');
    expect(got?.bytes.toString()).toBe('two');
    expect(got?.contentType).toBe('image/png');
    await b.files.delete('logos/x.webp');
    expect(await a.files.get('logos/x.webp')).toBeNull();
    await expect(a.files.delete('logos/x.webp')).resolves.toBeUndefined();
  });

  it('refuses paths that would mean something else on the filesystem store', async () => {
    for (const path of ['../x.png', '/abs.png', 'a//b.png', 'a/./b.png', 'a\\b.png', '']) {
      await expect(a.files.put(path, Buffer.from('x'), 'image/png')).rejects.toThrow(/Invalid file path/);
    }
  });

  it('works inside a scope and a transaction', async () => {
    await a.database.withScope(() =>
      a.database.transaction(async () => {
        await a.files.put('scoped.png', Buffer.from([1, 2, 3]), 'image/png');
        expect((await a.files.get('scoped.png'))?.bytes).toEqual(Buffer.from([1, 2, 3]));
      }),
    );
    expect((await b.files.get('scoped.png'))?.bytes).toEqual(Buffer.from([1, 2, 3]));
  });
});
