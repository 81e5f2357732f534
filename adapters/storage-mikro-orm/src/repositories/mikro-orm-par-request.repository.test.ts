import type { PushedAuthorizationRequest } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, describeEachDialect } from '../test-support.js';

const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
let counter = 0;

describeEachDialect('MikroOrmParRequestRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  const clientId = 'par-app';
  const otherClientId = 'par-other-app';

  const aRequest = (overrides: Partial<PushedAuthorizationRequest> = {}): PushedAuthorizationRequest => ({
    requestUriHash: `hash-${(counter += 1)}-${'0'.repeat(50)}`,
    clientId,
    parameters: {
      client_id: clientId,
      response_type: 'code',
      redirect_uri: 'https://par-app.example.com/cb?a=1',
      scope: 'openid profile',
      state: 'ünïcödé "quoted" \\ back',
      claims: '{"id_token":{"email":null}}',
    },
    createdAt: at(0),
    expiresAt: at(90),
    ...overrides,
  });

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    await a.oidcClients.insert(aClient(clientId));
    await a.oidcClients.insert(aClient(otherClientId));
  });

  it('hands a request out once, on any instance, while it lasts', async () => {
    const input = aRequest();
    await a.pushedAuthorizationRequests.insert(input);
    const got = await b.pushedAuthorizationRequests.consume(input.requestUriHash, clientId, at(1));
    expect(got).toEqual(input);
    expect(got!.createdAt).toBeInstanceOf(Date);
    expect(await a.pushedAuthorizationRequests.consume(input.requestUriHash, clientId, at(1))).toBeNull();

    const late = aRequest();
    await a.pushedAuthorizationRequests.insert(late);
    expect(await a.pushedAuthorizationRequests.consume(late.requestUriHash, clientId, at(90))).toBeNull();
  });

  it("leaves another client's request in place", async () => {
    const input = aRequest();
    await a.pushedAuthorizationRequests.insert(input);
    expect(
      await a.pushedAuthorizationRequests.consume(input.requestUriHash, otherClientId, at(1)),
    ).toBeNull();
    expect(await a.pushedAuthorizationRequests.consume(input.requestUriHash, clientId, at(1))).toEqual(input);
  });

  it('gives a request to exactly one of many concurrent uses', async () => {
    const input = aRequest();
    await a.pushedAuthorizationRequests.insert(input);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).database.withScope(() =>
          (i % 2 ? a : b).pushedAuthorizationRequests.consume(input.requestUriHash, clientId, at(1)),
        ),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('deletes those expired at or before now', async () => {
    const base = 10_000;
    const early = aRequest({ createdAt: at(base), expiresAt: at(base + 1) });
    const onTheDot = aRequest({ createdAt: at(base), expiresAt: at(base + 2) });
    const later = aRequest({ createdAt: at(base), expiresAt: at(base + 3) });
    for (const r of [early, onTheDot, later]) await a.pushedAuthorizationRequests.insert(r);
    expect(await a.pushedAuthorizationRequests.deleteExpired(at(base + 2))).toBeGreaterThanOrEqual(2);
    expect(await a.pushedAuthorizationRequests.deleteExpired(at(base + 2))).toBe(0);
    expect(await a.pushedAuthorizationRequests.consume(later.requestUriHash, clientId, at(base))).toEqual(
      later,
    );
  });

  it('goes with its client', async () => {
    const input = aRequest({ clientId: otherClientId });
    await a.pushedAuthorizationRequests.insert(input);
    expect(await a.oidcClients.delete(otherClientId)).toBe(true);
    expect(
      await a.pushedAuthorizationRequests.consume(input.requestUriHash, otherClientId, at(1)),
    ).toBeNull();
  });
});
