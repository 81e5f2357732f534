/**
 * Where Pocket ID kept its signing key, so a Pocket ID installation keeps its key (and every token and
 * cached JWKS of its relying parties stays valid) when Latchkey takes over:
 * - v2: kv row `jwt_private_key.json` = std-base64(AES-256-GCM(private JWK JSON)) under
 *   deriveJwkKek(ENCRYPTION_KEY, kv instance_id); read by SigningKeyService.importPocketIdKey().
 * - v1 with KEYS_STORAGE=file: `<KEYS_PATH>/jwt_private_key.json`, the private JWK in clear text.
 *   v1.6+ could instead write `jwt_private_key.json.enc` under KEYS_ENCRYPTION_KEY with AES-CBC-HMAC;
 *   that format is not read here (the source warns and the operator must export the key by hand).
 * The originals are only read, never changed or deleted.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const POCKET_ID_KEY_KV_KEY = 'jwt_private_key.json';
export const POCKET_ID_V1_KEY_FILE = 'jwt_private_key.json';
export const POCKET_ID_V1_ENCRYPTED_KEY_FILE = 'jwt_private_key.json.enc';

/** A private JWK kept outside our key store, offered once when no signing key exists yet. */
export interface LegacyKeySource {
  /** For logs and errors: where the key came from. */
  readonly description: string;
  /** The private JWK as JSON text, or null when this source has none. */
  read(): Promise<string | null>;
  /** Set when a key is present in a form we cannot import; logged as a warning. */
  unsupported?(): Promise<string | null>;
}

export function pocketIdV1FileKeySource(keysPath: string): LegacyKeySource {
  const file = join(keysPath, POCKET_ID_V1_KEY_FILE);
  const encrypted = join(keysPath, POCKET_ID_V1_ENCRYPTED_KEY_FILE);
  return {
    description: `Pocket ID v1 key file ${file}`,
    async read() {
      try {
        const text = await readFile(file, 'utf8');
        return text.trim() === '' ? null : text;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async unsupported() {
      try {
        await access(encrypted);
      } catch {
        return null;
      }
      return (
        `${encrypted} (Pocket ID v1 key encrypted with KEYS_ENCRYPTION_KEY, AES-CBC-HMAC) cannot be ` +
        'imported; a new signing key is generated instead'
      );
    },
  };
}
