/** An RFC 8628 device authorization, from the device's request until its tokens are issued. */
export interface DeviceCode {
  /** SHA-256 of the device code: only the device knows the code itself. */
  deviceCodeHash: string;
  /** What the person types on `/device`: `E` and seven characters, as Pocket ID makes them. */
  userCode: string;
  clientId: string;
  scope: string;
  status: 'pending' | 'approved' | 'denied';
  /** Who approved, in which browser session, and how they had signed in (for the ID token). */
  userId: string | null;
  sessionId: string | null;
  authTime: Date | null;
  amr: string[] | null;
  /** Seconds the device must wait between polls; `slow_down` raises it by 5 (RFC 8628 §3.5). */
  pollInterval: number;
  lastPolledAt: Date | null;
  createdAt: Date;
  expiresAt: Date;
}

export type NewDeviceCode = Pick<
  DeviceCode,
  'deviceCodeHash' | 'userCode' | 'clientId' | 'scope' | 'pollInterval' | 'createdAt' | 'expiresAt'
>;

export type DeviceDecision =
  | { status: 'approved'; userId: string; sessionId: string; authTime: Date; amr: string[] }
  | { status: 'denied' };

export interface DeviceCodeRepository {
  /** False, and nothing stored, when the user code is taken by another live code. */
  insert(code: NewDeviceCode): Promise<boolean>;
  findByUserCode(userCode: string): Promise<DeviceCode | null>;
  findByDeviceCodeHash(deviceCodeHash: string): Promise<DeviceCode | null>;
  /** Pending and unexpired → the decision, once; false when it was already decided or expired. */
  decide(userCode: string, decision: DeviceDecision, now: Date): Promise<boolean>;
  /**
   * Records a poll at `now`. `ok` when the previous one was at least `pollInterval` seconds ago (or
   * there was none); otherwise `slow_down`, and the interval grows by 5 seconds. The update is a
   * compare-and-set on the previous poll time, so of two concurrent polls only one passes.
   */
  poll(deviceCodeHash: string, now: Date): Promise<'ok' | 'slow_down'>;
  /** Deletes a decided code; true for the one caller that removed it (tokens are issued once). */
  consume(deviceCodeHash: string): Promise<boolean>;
  deleteExpired(before: Date): Promise<number>;
}
