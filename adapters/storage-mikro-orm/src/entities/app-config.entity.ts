import { defineEntity, p } from '@mikro-orm/core';

/** Application configuration (Pocket ID's `app_config_variables`): every value is a string. */
export const AppConfigEntity = defineEntity({
  name: 'AppConfig',
  tableName: 'app_config',
  properties: {
    key: p.string().primary(),
    value: p.text(),
  },
});
