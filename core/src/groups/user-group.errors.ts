import { problems } from '../errors/problem.errors.js';

/** 404 `not_found` with `details.resource` "User group", as Pocket ID answers. */
export const groupNotFound = () => problems.notFound('User group not found', { resource: 'User group' });
