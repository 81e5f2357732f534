/**
 * A pushed authorization request (RFC 9126), stored until its `request_uri` is used once or it expires
 * (90 seconds, Pocket ID's lifetime). Only the SHA-256 of the `request_uri` is kept, as for codes.
 */
export interface PushedAuthorizationRequest {
  requestUriHash: string;
  clientId: string;
  /** The validated request's parameters (wire names), `client_id` included. */
  parameters: Record<string, string>;
  createdAt: Date;
  expiresAt: Date;
}

export interface PushedAuthorizationRequestRepository {
  insert(request: PushedAuthorizationRequest): Promise<void>;
  /**
   * Removes and returns the request if it belongs to `clientId` and has not expired at `now`: of
   * concurrent calls exactly one gets it. Another client's request is left in place.
   */
  consume(requestUriHash: string, clientId: string, now: Date): Promise<PushedAuthorizationRequest | null>;
  deleteExpired(now: Date): Promise<number>;
}
