import { defineEntity, p } from '@mikro-orm/core';

export const KvEntity = defineEntity({
  name: 'Kv',
  tableName: 'kv',
  properties: {
    key: p.string().primary(),
    value: p.text(),
  },
});
