/**
 * A small key/value table shared by every instance (Pocket ID's `kv`): the instance id, imported
 * Pocket ID keys and other singletons live here.
 */
export interface KvStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** Inserts only if the key is absent; returns whether this call wrote it (race-safe across instances). */
  setIfAbsent(key: string, value: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}
