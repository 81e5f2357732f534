import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { describeEachDialect } from '../test-support.js';

describeEachDialect('MikroOrmJobLockRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  const MINUTE = 60_000;

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
  });

  it('grants a free lock, refuses it to a second owner, and renews it for the holder', async () => {
    expect(await a.jobLocks.tryAcquire('audit-cleanup', 'instance-a', MINUTE)).toBe(true);
    expect(await b.jobLocks.tryAcquire('audit-cleanup', 'instance-b', MINUTE)).toBe(false);
    expect(await a.jobLocks.tryAcquire('audit-cleanup', 'instance-a', MINUTE)).toBe(true);
    expect(await b.jobLocks.tryAcquire('audit-cleanup', 'instance-b', MINUTE)).toBe(false);
  });

  it('keeps locks with different names apart', async () => {
    expect(await a.jobLocks.tryAcquire('job-1', 'instance-a', MINUTE)).toBe(true);
    expect(await b.jobLocks.tryAcquire('job-2', 'instance-b', MINUTE)).toBe(true);
  });

  it('lets another owner take over an expired lease', async () => {
    expect(await a.jobLocks.tryAcquire('expiring', 'instance-a', 1)).toBe(true);
    // Poll until the 1 ms lease has passed; no fixed sleep.
    const deadline = Date.now() + 5_000;
    let taken = false;
    while (!taken && Date.now() < deadline)
      taken = await b.jobLocks.tryAcquire('expiring', 'instance-b', MINUTE);
    expect(taken).toBe(true);
    expect(await a.jobLocks.tryAcquire('expiring', 'instance-a', MINUTE)).toBe(false);
  });

  it('releases only for the holder', async () => {
    expect(await a.jobLocks.tryAcquire('release', 'instance-a', MINUTE)).toBe(true);
    await b.jobLocks.release('release', 'instance-b');
    expect(await b.jobLocks.tryAcquire('release', 'instance-b', MINUTE)).toBe(false);
    await a.jobLocks.release('release', 'instance-a');
    expect(await b.jobLocks.tryAcquire('release', 'instance-b', MINUTE)).toBe(true);
  });

  it('grants a contended free lock to exactly one of many owners', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).jobLocks.tryAcquire('contended', `owner-${i}`, MINUTE),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
