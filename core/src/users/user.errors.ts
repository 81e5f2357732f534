import { ProblemError } from '../errors/problem.errors.js';
import type { UniqueViolationError } from './user.repository.port.js';

export const userNotFound = (): ProblemError =>
  new ProblemError({ status: 404, code: 'user_not_found', detail: 'User not found' });

/** 409 `already_in_use` naming the taken field in `details.property`, as Pocket ID answers. */
export function alreadyInUse(error: UniqueViolationError): ProblemError {
  const label = error.field.charAt(0).toUpperCase() + error.field.slice(1);
  return new ProblemError({
    status: 409,
    code: 'already_in_use',
    detail: `${label} is already in use`,
    details: { property: error.field },
  });
}
