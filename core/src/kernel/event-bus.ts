import type { Logger } from './logger.js';

/**
 * Events on the internal bus, named `noun.past_tense` (CONVENTIONS). Features add their events to this
 * map by declaration merging, so `on` and `emit` stay typed.
 */
export interface CoreEvents {
  'signing_key.rotated': { kid: string; alg: string };
  /** A browser session ended: signed out, ended by RP-initiated logout, or its user disabled or deleted. */
  'session.ended': { sessionId: string };
  /** A person signed in: `passkey`, `login_code` (a one-time access token) or `setup` (first admin). */
  'user.signed_in': { userId: string; method: 'passkey' | 'login_code' | 'setup'; client: ClientInfo };
  /** An account came to exist: through first-admin setup, signup, or an admin. */
  /** After the user's row is gone: features clean up what they keep outside the database (pictures). */
  'user.deleted': { userId: string };
  'user.created': {
    userId: string;
    via: 'setup' | 'signup' | 'admin';
    actorUserId?: string;
    /** The signup token used (audit `ACCOUNT_CREATED` data); absent for open signup. */
    signupToken?: string;
    client: ClientInfo;
  };
  'passkey.registered': {
    userId: string;
    passkeyId: string;
    name: string;
    /** The WebAuthn credential id, base64url (audit `credentialID`). */
    credentialId?: string;
    client: ClientInfo;
  };
  'passkey.removed': {
    userId: string;
    passkeyId: string;
    name: string;
    actorUserId: string;
    /** The WebAuthn credential id, base64url (audit `credentialID`). */
    credentialId?: string;
    client: ClientInfo;
  };
  /**
   * A person authorized a client: a code was issued (`authorize`) or a device code approved (`device`).
   * `firstTime` when their consent for it was new or gained scopes (audit `NEW_…_AUTHORIZATION`).
   */
  'client.authorized': {
    userId: string;
    clientId: string;
    clientName: string;
    firstTime: boolean;
    via: 'authorize' | 'device';
    client: ClientInfo;
  };
  /** An assertion whose signature counter did not increase: refused, and possibly a cloned authenticator. */
  'passkey.sign_count_regressed': {
    userId: string;
    passkeyId: string;
    storedCount: number;
    /** The WebAuthn credential id, base64url (audit `credentialID`). */
    credentialId?: string;
    client: ClientInfo;
  };
}

/** Who was on the other end of a request, for the audit log (TRUST_PROXY-aware IP). */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

type Listener<P> = (payload: P) => unknown;

/**
 * In-process publish/subscribe. A listener that throws or rejects is logged and never fails the emitter:
 * an audit or email hook must not break a sign-in (ARCHITECTURE: Plugins, isolation).
 */
export class EventBus {
  private readonly listeners = new Map<string, Listener<any>[]>();

  constructor(private readonly logger: Logger) {}

  on<E extends keyof CoreEvents>(event: E, listener: Listener<CoreEvents[E]>): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return () => {
      const current = this.listeners.get(event) ?? [];
      this.listeners.set(
        event,
        current.filter((l) => l !== listener),
      );
    };
  }

  /** Runs every listener and waits for all of them; resolves even when some fail. */
  async emit<E extends keyof CoreEvents>(event: E, payload: CoreEvents[E]): Promise<void> {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return;
    await Promise.all(
      list.map(async (listener) => {
        try {
          await listener(payload);
        } catch (err) {
          this.logger.error({ err, event }, 'an event listener failed; the event itself went through');
        }
      }),
    );
  }
}
