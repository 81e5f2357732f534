import { ProblemError } from '../errors/problem.errors.js';
import type { User } from './user.js';
import type { UserRepository } from './user.repository.port.js';

/**
 * Refuses a change that would leave no active admin (an admin who is not disabled): demoting,
 * disabling or deleting the last one answers 409 `last_admin`. Pocket ID has no such guard; without
 * it an instance can lock itself out of its own admin API. Run it inside a transaction after
 * `users.lockAdmins()`.
 */
export async function checkNotLastAdmin(
  users: Pick<UserRepository, 'countActiveAdmins'>,
  current: User,
  next: Pick<User, 'isAdmin' | 'disabled'> | 'deleted',
): Promise<void> {
  const wasActiveAdmin = current.isAdmin && !current.disabled;
  const staysActiveAdmin = next !== 'deleted' && next.isAdmin && !next.disabled;
  if (!wasActiveAdmin || staysActiveAdmin) return;
  if ((await users.countActiveAdmins()) > 1) return;
  const action = next === 'deleted' ? 'deleted' : next.isAdmin ? 'disabled' : 'demoted';
  throw new ProblemError({
    status: 409,
    code: 'last_admin',
    detail: `The last admin cannot be ${action}; make another user an admin first`,
  });
}
