import { TransactionPropagation } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { LatchkeyOrm } from './orm.js';

/**
 * The EntityManager for the current unit of work: the transaction's fork inside `transaction()`, the
 * request's fork inside `withScope()`, otherwise a fresh fork, so a call outside any scope (a CLI
 * command, a test) still never shares an identity map with anyone.
 */
export function currentEm(orm: LatchkeyOrm): SqlEntityManager {
  const em = orm.em.getContext(false);
  return em === orm.em ? orm.em.fork() : em;
}

/**
 * Runs `fn` in a transaction, joining the current one if there is one. MikroORM 6.6 nests with a
 * savepoint by default (`NESTED`); core's port promises that nested calls join the outer transaction.
 */
export function inTransaction<T>(orm: LatchkeyOrm, fn: (em: SqlEntityManager) => Promise<T>): Promise<T> {
  return orm.em.transactional((em) => fn(em), { propagation: TransactionPropagation.REQUIRED });
}
