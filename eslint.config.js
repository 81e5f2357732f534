// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule (ARCHITECTURE): core never imports a web framework, the ORM, a plugin or an
 * adapter; plugins import nothing of core but its published plugin API. A violation fails `npm run lint`,
 * and test/architecture/dependency-rule.test.ts proves the rule fires.
 */
export const coreForbidden = [
  { group: ['express', 'express/*'], message: 'core must not import a web framework (ARCHITECTURE).' },
  { group: ['fastify', 'fastify/*', '@fastify/*'], message: 'core must not import a web framework.' },
  {
    group: ['@mikro-orm/*', 'knex', 'better-sqlite3', 'pg'],
    message: 'core must not import the ORM or a driver.',
  },
  { group: ['@latchkey/plugin-*', '**/plugins/**'], message: 'core must not import a plugin.' },
  {
    group: ['@latchkey/http-*', '@latchkey/storage-*', '@latchkey/server', '**/adapters/**', '**/hosts/**'],
    message: 'core must not import an adapter or the host.',
  },
  { group: ['nodemailer', 'ldapts', 'maxmind'], message: "core must not import a plugin's library." },
];

export const pluginForbidden = [
  {
    regex: '^@latchkey/core(?!/plugin$)',
    message: 'Plugins may import only @latchkey/core/plugin.',
  },
  { group: ['**/core/src/**', '**/core/dist/**'], message: 'Plugins may import only @latchkey/core/plugin.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test-output/**', 'data/**', 'ui/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: coreForbidden }] },
  },
  {
    files: ['plugins/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: pluginForbidden }] },
  },
);
