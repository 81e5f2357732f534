import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configVariables } from './config-loader.js';
import { pocketIdV1Variables } from './pocket-id-v1.js';

const docPath = new URL('../../../docs/configuration.md', import.meta.url);
const doc = readFileSync(docPath, 'utf8');

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());

const plain = (cell: string): string => cell.replace(/`/g, '').trim();

/** The `| Variable | Default | Description |` table: variable name → the Default cell without backticks. */
function documentedDefaults(): Map<string, string> {
  const lines = doc.split('\n');
  const header = lines.findIndex((line) =>
    /^\|\s*Variable\s*\|\s*Default\s*\|\s*Description\s*\|\s*$/.test(line),
  );
  expect(header, 'docs/configuration.md has a | Variable | Default | Description | table').toBeGreaterThan(
    -1,
  );
  const rows = new Map<string, string>();
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [name = '', defaultCell = ''] = cells(line);
    expect(rows.has(plain(name)), `${plain(name)} is listed twice`).toBe(false);
    rows.set(plain(name), plain(defaultCell));
  }
  return rows;
}

describe('docs/configuration.md', () => {
  const documented = documentedDefaults();
  const schema = new Map(configVariables().map((v) => [v.name as string, v.docDefault]));

  it('documents every variable of the schema', () => {
    const missing = [...schema.keys()].filter((name) => !documented.has(name));
    expect(missing, 'in the schema but not in the docs table').toEqual([]);
  });

  it('documents no variable the schema lacks', () => {
    const extra = [...documented.keys()].filter((name) => !schema.has(name));
    expect(extra, 'in the docs table but not in the schema').toEqual([]);
  });

  it('shows the schema default of every variable', () => {
    const wrong = [...schema]
      .filter(([name, docDefault]) => documented.has(name) && documented.get(name) !== docDefault)
      .map(
        ([name, docDefault]) => `${name}: docs say "${documented.get(name)}", schema says "${docDefault}"`,
      );
    expect(wrong).toEqual([]);
  });

  it('names every ignored Pocket ID v1 variable and its replacement', () => {
    for (const v of pocketIdV1Variables) {
      expect(doc).toContain(`\`${v.name}\``);
      if (v.replacement) expect(doc).toContain(`\`${v.replacement}\``);
    }
  });
});
