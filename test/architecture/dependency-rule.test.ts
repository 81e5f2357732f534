import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Proves the lint rule that guards the architecture fires, so a green lint means something.
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('dependency rule', () => {
  it.each([
    ["import fastify from 'fastify';", 'web framework'],
    ["import express from 'express';", 'web framework'],
    ["import { MikroORM } from '@mikro-orm/core';", 'ORM'],
    ["import x from '@latchkey/plugin-ldap-sync';", 'plugin'],
    ["import x from '@latchkey/storage-mikro-orm';", 'adapter'],
  ])('core may not %s', async (code, word) => {
    const found = await violations('core/src/example.ts', `${code}\nexport const y = x;`.replace('x;', '1;'));
    expect(found.join(' ')).toContain(word);
  });

  it('core may import its own libraries', async () => {
    expect(
      await violations('core/src/example.ts', "import * as jose from 'jose';\nexport const y = jose;"),
    ).toEqual([]);
  });

  it('a plugin may import only the plugin API of core', async () => {
    expect(
      await violations(
        'plugins/demo/src/index.ts',
        "import { TOKENS } from '@latchkey/core';\nexport const y = TOKENS;",
      ),
    ).toHaveLength(1);
    expect(
      await violations(
        'plugins/demo/src/index.ts',
        "import { definePlugin } from '@latchkey/core/plugin';\nexport const y = definePlugin;",
      ),
    ).toEqual([]);
  });
});
