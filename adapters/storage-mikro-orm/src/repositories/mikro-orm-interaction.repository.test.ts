import { randomUUID } from 'node:crypto';
import type { Interaction } from '@latchkey/core';
import { beforeAll, expect, it } from 'vitest';
import type { MikroOrmStorage } from '../index.js';
import { aClient, addUser, describeEachDialect } from '../test-support.js';

const t0 = new Date('2026-11-23T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

describeEachDialect('MikroOrmInteractionRepository', (db) => {
  let a: MikroOrmStorage;
  let b: MikroOrmStorage;
  let alice = '';
  const clientId = 'interaction-app';

  const anInteraction = (overrides: Partial<Interaction> = {}): Interaction => ({
    id: randomUUID(),
    clientId,
    userId: null,
    sessionId: null,
    parameters: {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'https://interaction-app.example.com/cb?a=1&b=?',
      scope: 'openid profile',
      state: 'ünïcödé "quoted" \\ back',
      claims: '{"id_token":{"email":null}}',
    },
    scopes: ['openid', 'profile'],
    requiredSteps: ['authenticate', 'consent'],
    completedSteps: [],
    reauthenticatedAt: null,
    createdAt: at(0),
    expiresAt: at(60),
    ...overrides,
  });

  const addSession = async (): Promise<string> => {
    const id = randomUUID();
    await a.sessions.insert({
      id,
      userId: alice,
      tokenHash: randomUUID(),
      amr: ['phr'],
      authTime: at(0),
      expiresAt: at(60 * 24),
      ip: null,
      userAgent: null,
    });
    return id;
  };

  beforeAll(async () => {
    a = await db.open();
    b = await db.open();
    alice = await addUser(a, 'alice');
    await a.oidcClients.insert(aClient(clientId));
  });

  it('inserts and finds an interaction while it lasts, on the other instance too', async () => {
    const input = anInteraction();
    await a.interactions.insert(input);
    const found = await b.interactions.find(input.id, at(1));
    expect(found).toEqual(input);
    expect(found!.createdAt).toBeInstanceOf(Date);
    expect(found!.expiresAt).toBeInstanceOf(Date);
    expect(await a.interactions.find(input.id, at(60))).toBeNull();
    expect(await a.interactions.find(randomUUID(), at(1))).toBeNull();
    expect(await a.interactions.find('not-a-uuid', at(1))).toBeNull();
  });

  it('updates only the patched fields; null clears', async () => {
    const sessionId = await addSession();
    const input = anInteraction({ requiredSteps: ['authenticate', 'reauthenticate', 'consent'] });
    await a.interactions.insert(input);
    await a.interactions.update(input.id, { userId: alice, sessionId, completedSteps: ['authenticate'] });
    expect(await b.interactions.find(input.id, at(1))).toEqual({
      ...input,
      userId: alice,
      sessionId,
      completedSteps: ['authenticate'],
    });
    await a.interactions.update(input.id, {
      completedSteps: ['authenticate', 'reauthenticate'],
      reauthenticatedAt: at(2),
    });
    const updated = await a.interactions.find(input.id, at(3));
    expect(updated).toEqual({
      ...input,
      userId: alice,
      sessionId,
      completedSteps: ['authenticate', 'reauthenticate'],
      reauthenticatedAt: at(2),
    });
    expect(updated!.reauthenticatedAt).toBeInstanceOf(Date);
    // A take-over by someone else may add steps.
    await a.interactions.update(input.id, { requiredSteps: ['select_account', 'reauthenticate', 'consent'] });
    expect((await b.interactions.find(input.id, at(3)))!.requiredSteps).toEqual([
      'select_account',
      'reauthenticate',
      'consent',
    ]);
    await a.interactions.update(input.id, { requiredSteps: input.requiredSteps });
    await a.interactions.update(input.id, {});
    await a.interactions.update(input.id, { sessionId: null, reauthenticatedAt: null });
    expect(await a.interactions.find(input.id, at(3))).toEqual({
      ...input,
      userId: alice,
      completedSteps: ['authenticate', 'reauthenticate'],
    });
    await a.interactions.update(randomUUID(), { userId: alice }); // unknown: nothing happens
  });

  it('keeps the interaction when its session goes, and goes with its user', async () => {
    const bob = await addUser(a, 'bob');
    const sessionId = await addSession();
    const input = anInteraction({ userId: bob, sessionId });
    await a.interactions.insert(input);
    await a.orm.em.fork().getConnection().execute('delete from sessions where id = ?', [sessionId]);
    expect(await a.interactions.find(input.id, at(1))).toEqual({ ...input, sessionId: null });
    await a.orm.em.fork().getConnection().execute('delete from users where id = ?', [bob]);
    expect(await a.interactions.find(input.id, at(1))).toBeNull();
  });

  it('deletes one interaction, and those expired at or before now', async () => {
    const gone = anInteraction();
    await a.interactions.insert(gone);
    await a.interactions.delete(gone.id);
    expect(await a.interactions.find(gone.id, at(1))).toBeNull();
    await a.interactions.delete(gone.id); // again: no error

    const base = at(10_000);
    const early = anInteraction({ createdAt: base, expiresAt: at(10_001) });
    const onTheDot = anInteraction({ createdAt: base, expiresAt: at(10_002) });
    const later = anInteraction({ createdAt: base, expiresAt: at(10_003) });
    for (const i of [early, onTheDot, later]) await a.interactions.insert(i);
    // Everything inserted by earlier tests expired long before `base`.
    expect(await a.interactions.deleteExpired(at(10_002))).toBeGreaterThanOrEqual(2);
    expect(await a.interactions.deleteExpired(at(10_002))).toBe(0);
    expect(await a.interactions.find(early.id, base)).toBeNull();
    expect(await a.interactions.find(onTheDot.id, base)).toBeNull();
    expect(await a.interactions.find(later.id, base)).toEqual(later);
  });
});
