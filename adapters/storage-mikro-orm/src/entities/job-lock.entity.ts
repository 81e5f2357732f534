import { defineEntity, p } from '@mikro-orm/core';

export const JobLockEntity = defineEntity({
  name: 'JobLock',
  tableName: 'job_locks',
  properties: {
    name: p.string().primary(),
    owner: p.string(),
    expiresAt: p.datetime(),
  },
});
