/**
 * A lease-based lock in the database, so a singleton job runs on one instance at a time.
 * A lease that is not renewed expires, so a crashed holder never blocks the cluster for long.
 */
export interface JobLockRepository {
  /** Takes or renews the lease `name` for `owner` until now + ttlMs; false when another owner holds it. */
  tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}
