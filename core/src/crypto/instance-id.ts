import { randomUUID } from 'node:crypto';
import type { KvStore } from '../storage/kv-store.port.js';

/** Pocket ID's kv key for the instance id; the signing-key KEK is bound to it. */
export const INSTANCE_ID_KV_KEY = 'instance_id';

/**
 * Returns the instance id, creating it on first start. Several instances may start at once on a fresh
 * database: `setIfAbsent` lets exactly one write win, and everyone re-reads the winner.
 */
export async function ensureInstanceId(kv: KvStore): Promise<string> {
  const existing = await kv.get(INSTANCE_ID_KV_KEY);
  if (existing) return existing;
  await kv.setIfAbsent(INSTANCE_ID_KV_KEY, randomUUID());
  const winner = await kv.get(INSTANCE_ID_KV_KEY);
  if (!winner) throw new Error(`kv "${INSTANCE_ID_KV_KEY}" is still empty after it was created`);
  return winner;
}
