#!/usr/bin/env node
/**
 * What the parts of Latchkey's grant requests cost, one by one, in one process with nothing else
 * running in it: the storage calls the token, authorize and userinfo endpoints make (each in its own
 * unit of work, as a request has), the JWT signature and verification, and, for comparison, the same
 * reads as cached, parameterised better-sqlite3 statements. CPU time per call (`process.cpuUsage`,
 * which also counts the thread pool that WebCrypto signs on). Last, a whole refresh through the HTTP
 * app without sockets: the event loop's CPU per refresh and the SQL statements it ran, by time. Set up like the grants scenarios
 * (lib/grants.mjs: first admin, confidential client, one consent). Prints figures, asserts nothing.
 * Read with the grants scenarios' server CPU per request: docs/benchmarks.md "Where the time goes".
 *
 *   node test/bench/grants-parts.mjs [ES256|RS256] [iterations, default 2000]      (after npm run build)
 */
import { createHook } from 'node:async_hooks';
import { createHash, KeyObject, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { loadConfig } from '@latchkey/core';
import { createLatchkey, createLogger } from '@latchkey/server';
import { codeFlow, prepareLatchkey } from './lib/grants.mjs';
import { freePort } from './servers/lifecycle.mjs';

const alg = process.argv[2] ?? 'ES256';
const iterations = Math.min(100_000, Math.max(10, Number(process.argv[3] ?? 2000)));

const dir = await mkdtemp(join(tmpdir(), 'latchkey-bench-parts-'));
const port = await freePort();
const dbPath = join(dir, 'latchkey.db');
const { config } = loadConfig({
  env: {
    APP_URL: `http://localhost:${port}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    HTTP_HOST: 'fastify',
    DB_CONNECTION_STRING: dbPath,
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789',
    DISABLE_RATE_LIMITING: 'true',
    LOG_LEVEL: 'warn',
  },
  cwd: dir,
  dotenv: false,
});
const app = await createLatchkey(config, createLogger({ level: 'warn', json: true }));
await app.storage.database.withScope(() => app.keys.rotate(alg));
const url = await app.listen();
const fixture = await prepareLatchkey(url);
const { tokens } = await codeFlow(fixture);

const s = app.storage;
const clientId = fixture.client.id;
const accessToken = JSON.parse(Buffer.from(fixture.userinfoToken.split('.')[1], 'base64url').toString());
const userId = accessToken.sub;
const refreshTokenHash = createHash('sha256').update(tokens.refresh_token).digest('hex');
const refreshFamilyId = (await s.database.withScope(() => s.refreshTokens.find(refreshTokenHash))).family.id;

const scoped = (fn) => () => s.database.withScope(fn);
const claims = { ...accessToken, jti: randomUUID() };
delete claims.iat;
delete claims.exp;
// The same signature through node:crypto's synchronous sign on the same key, JWS assembled by hand.
const key = app.keys.currentKey();
// A KeyObject already, or a WebCrypto CryptoKey, depending on how core holds its keys.
const keyObject = key.privateKey instanceof KeyObject ? key.privateKey : KeyObject.from(key.privateKey);
const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signSync = () => {
  const input = `${part({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })}.${part(claims)}`;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    key.alg.startsWith('ES') ? { key: keyObject, dsaEncoding: 'ieee-p1363' } : keyObject,
  );
  return `${input}.${signature.toString('base64url')}`;
};
// The same reads on a second connection (WAL lets it read), as prepared statements kept and reused.
const db = new Database(dbPath, { readonly: true });
const clientById = db.prepare('select * from oidc_clients where id = ?');
const secretsOf = db.prepare(
  'select * from oidc_client_secrets where client_id = ? order by created_at desc, id asc',
);
const userById = db.prepare('select * from users where id = ?');

/** [label, call, iterations]; a label starting with '#' is a heading. */
const parts = [
  ['an empty unit of work (the per-request scope)', scoped(async () => {})],
  ['an empty transaction', scoped(() => s.database.transaction(async () => {}))],
  ['oidcClients.findById', scoped(() => s.oidcClients.findById(clientId))],
  ['oidcClients.secretsOf', scoped(() => s.oidcClients.secretsOf([clientId]))],
  ['oidcClients.allowedGroupsOf', scoped(() => s.oidcClients.allowedGroupsOf([clientId]))],
  ['users.findById', scoped(() => s.users.findById(userId))],
  ['userGroups.groupsOfUsers', scoped(() => s.userGroups.groupsOfUsers([userId]))],
  ['customClaims.listMany', scoped(() => s.customClaims.listMany({ userIds: [userId], groupIds: [] }))],
  ['refreshTokens.find (two reads)', scoped(() => s.refreshTokens.find(refreshTokenHash))],
  [
    'refreshTokens.markUsed (after the first call: an update that changes no row)',
    scoped(() => s.refreshTokens.markUsed(refreshTokenHash, new Date())),
  ],
  ['accessTokens.find', scoped(() => s.accessTokens.find(accessToken.jti))],
  ['consents.find', scoped(() => s.consents.find(userId, clientId))],
  [
    'consents.grant (a transaction: read, upsert, read)',
    scoped(() => s.consents.grant(userId, clientId, ['openid', 'profile', 'email'], new Date())),
  ],
  [
    'accessTokens.insert',
    scoped(() =>
      s.accessTokens.insert({
        jti: randomUUID(),
        clientId,
        userId: null,
        familyId: null,
        sessionId: null,
        scope: '',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    ),
  ],
  [
    'refreshTokens.addToken (a transaction: insert, extend the family)',
    scoped(() =>
      s.refreshTokens.addToken({
        tokenHash: randomUUID(),
        familyId: refreshFamilyId,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    ),
  ],
  [`keys.sign (${alg}, an access token)`, () => app.keys.sign(claims, { typ: 'at+jwt', expiresIn: 3600 })],
  [`keys.verify (${alg}, an access token)`, () => app.keys.verify(fixture.userinfoToken, { typ: 'at+jwt' })],
  [`the same JWS with node:crypto sign (${alg}, synchronous)`, signSync],
  ['# For comparison, better-sqlite3 directly:'],
  ['client by id, cached statement', () => clientById.get(clientId), iterations * 5],
  ['secrets of the client, cached statement', () => secretsOf.all(clientId), iterations * 5],
  ['user by id, cached statement', () => userById.get(userId), iterations * 5],
  [
    'user by id, prepared anew with the value inlined (as MikroORM runs every statement)',
    () => db.prepare(`select * from users where id = '${userId}'`).get(),
    iterations * 5,
  ],
];

/**
 * Two passes over the whole list, the first unreported: MikroORM's code paths take thousands of calls
 * before V8 has optimised them, and a first pass measured 1.5–2.5 times the second.
 */
for (const report of [false, true]) {
  if (report)
    console.log(`Latchkey's parts, ${alg}, ${iterations} calls each, Node ${process.version}; CPU per call:`);
  for (const [label, fn, n = iterations] of parts) {
    if (label.startsWith('#')) {
      if (report) console.log(label.slice(2));
      continue;
    }
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(before);
    if (report) console.log(`  ${((used.user + used.system) / n).toFixed(1).padStart(8)} µs  ${label}`);
  }
}

/**
 * A whole refresh, as the token endpoint runs it but without sockets (`app.http.handle`), 32 chains at
 * a time: the event loop's own CPU per refresh (from /proc/thread-self, so the thread pool's signing is
 * not in it), and each SQL statement it ran with the time spent inside better-sqlite3 (its locks and
 * WAL writes included). On this 2-core machine the event loop is what saturates first under load.
 */
const sqlite = createRequire(import.meta.resolve('@latchkey/storage-mikro-orm'))('better-sqlite3');
const statementProto = Object.getPrototypeOf(db.prepare('select 1'));
const statementTimes = new Map();
let timing = false;
for (const method of ['get', 'all', 'run']) {
  const original = statementProto[method];
  statementProto[method] = function (...args) {
    if (!timing) return original.apply(this, args);
    const started = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const key = this.source.replace(/\s+/g, ' ').slice(0, 72);
      const entry = statementTimes.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - started;
      entry.calls++;
      statementTimes.set(key, entry);
    }
  };
}
// The wrapped prototype must be the one the storage package's statements use.
if (sqlite.prototype !== Object.getPrototypeOf(db)) throw new Error('two copies of better-sqlite3');
const chains = 32;
const chainTokens = await Promise.all(
  Array.from({ length: chains }, async () => (await codeFlow(fixture)).tokens.refresh_token),
);
const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(fixture.client.secret)}`).toString('base64')}`;
const refreshOnce = async (chain) => {
  const body = `grant_type=refresh_token&refresh_token=${chainTokens[chain]}`;
  const answer = await app.http.handle({
    method: 'POST',
    url: fixture.paths.token,
    headers: {
      host: new URL(url).host,
      authorization: basic,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(body.length),
    },
    remoteAddress: '127.0.0.1',
    body: Readable.from([Buffer.from(body)]),
  });
  if (answer.status !== 200) throw new Error(`refresh answered ${answer.status}: ${answer.body}`);
  chainTokens[chain] = JSON.parse(answer.body).refresh_token;
};
const refreshes = async (n) => {
  let left = n;
  await Promise.all(
    chainTokens.map(async (_, chain) => {
      while (left-- > 0) await refreshOnce(chain);
    }),
  );
};
const threadMicros = () => {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
await refreshes(iterations); // warm-up, as above
timing = true;
const loopBefore = threadMicros();
const cpuBefore = process.cpuUsage();
await refreshes(iterations);
const cpu = process.cpuUsage(cpuBefore);
const loop = threadMicros() - loopBefore;
timing = false;
console.log(
  `A whole refresh through app.http.handle, ${chains} at a time, ${iterations} refreshes: ` +
    `${(loop / iterations).toFixed(0)} µs on the event loop, ${((cpu.user + cpu.system) / iterations).toFixed(0)} µs in all threads; ` +
    'its statements, time inside better-sqlite3 per refresh:',
);
let inStatements = 0;
for (const [sql, { ms, calls }] of [...statementTimes].sort((a, b) => b[1].ms - a[1].ms)) {
  inStatements += ms;
  console.log(
    `  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs  ${(calls / iterations).toFixed(2)}×  ${sql}`,
  );
}
console.log(`  ${((inStatements * 1000) / iterations).toFixed(1).padStart(8)} µs  in all`);
// Promises per refresh, counted apart from the timed pass (an init hook slows every promise down).
let promises = 0;
const promiseHook = createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++;
  },
}).enable();
await refreshes(200);
promiseHook.disable();
console.log(`  ${(promises / 200).toFixed(0)} promises created per refresh`);

db.close();
fixture.close();
await app.close();
await rm(dir, { recursive: true, force: true });
