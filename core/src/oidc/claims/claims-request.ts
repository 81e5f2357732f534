import { jsonHasUnstorableCharacters } from '../protocol-parameters.js';

/**
 * The `claims` request parameter (OIDC Core §5.5): which individual claims a client wants in the ID
 * token and from userinfo, on top of what its scopes release.
 *
 * §5.5 says members that are not understood MUST be ignored, so only `userinfo` and `id_token` are read
 * (another top-level member such as `verified_claims` is dropped); each maps claim names to `null` or
 * to `{essential?, value?, values?}` (§5.5.1). Claims are released when the user has them; `essential`
 * cannot make the answer fail (§5.5.1: "the Authorization Server ... MUST NOT generate an error when
 * Claims are not returned"), and `value`/`values` are not matched against the user's data, except for
 * `sub` in the ID token (§5.5.1.1), which the authorize pipeline enforces.
 */
export interface ClaimRequest {
  essential?: boolean;
  value?: unknown;
  values?: unknown[];
}

export type ClaimsRequestMember = Record<string, ClaimRequest | null>;

export interface ClaimsRequest {
  userinfo?: ClaimsRequestMember;
  id_token?: ClaimsRequestMember;
}

/** The two members this provider understands. */
const MEMBERS = ['userinfo', 'id_token'] as const;

/** Claim names are JSON strings; a sane bound keeps a hostile request from bloating the stored code. */
const MAX_CLAIMS_PER_MEMBER = 100;
const MAX_CLAIM_NAME_LENGTH = 256;

/** A malformed `claims` parameter, with what is wrong with it. */
export class ClaimsRequestError extends Error {
  override readonly name = 'ClaimsRequestError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses and validates the parameter's JSON text; returns only the understood members, or null when
 * neither is present. Throws a ClaimsRequestError for anything that is not §5.5's shape.
 */
export function parseClaimsRequest(text: string): ClaimsRequest | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClaimsRequestError('claims is not valid JSON');
  }
  if (!isObject(parsed)) throw new ClaimsRequestError('claims must be a JSON object');
  // A `\u0000` or lone `\ud800` escape would reach storage (protocol-parameters.ts).
  if (jsonHasUnstorableCharacters(parsed)) {
    throw new ClaimsRequestError('claims holds U+0000 or an unpaired surrogate');
  }
  const request: ClaimsRequest = {};
  for (const member of MEMBERS) {
    const value = parsed[member];
    if (value === undefined) continue;
    if (!isObject(value)) throw new ClaimsRequestError(`claims.${member} must be a JSON object`);
    const entries = Object.entries(value);
    if (entries.length > MAX_CLAIMS_PER_MEMBER) {
      throw new ClaimsRequestError(`claims.${member} names more than ${MAX_CLAIMS_PER_MEMBER} claims`);
    }
    const out: ClaimsRequestMember = {};
    for (const [name, spec] of entries) {
      if (name === '' || name.length > MAX_CLAIM_NAME_LENGTH) {
        throw new ClaimsRequestError(`claims.${member} has an empty or overlong claim name`);
      }
      out[name] = parseClaimSpec(spec, `claims.${member}.${name}`);
    }
    request[member] = out;
  }
  return request.userinfo || request.id_token ? request : null;
}

/** §5.5.1: `null`, or an object whose `essential` is a boolean and `values` an array. */
function parseClaimSpec(spec: unknown, path: string): ClaimRequest | null {
  if (spec === null) return null;
  if (!isObject(spec)) throw new ClaimsRequestError(`${path} must be null or a JSON object`);
  const out: ClaimRequest = {};
  if (spec.essential !== undefined) {
    if (typeof spec.essential !== 'boolean')
      throw new ClaimsRequestError(`${path}.essential must be a boolean`);
    out.essential = spec.essential;
  }
  if (spec.value !== undefined) out.value = spec.value;
  if (spec.values !== undefined) {
    if (!Array.isArray(spec.values)) throw new ClaimsRequestError(`${path}.values must be an array`);
    out.values = spec.values;
  }
  return out;
}

/** The claim names one member asks for; empty when the member (or the whole request) is absent. */
export function requestedClaimNames(
  request: ClaimsRequest | null | undefined,
  member: 'userinfo' | 'id_token',
): string[] {
  const names = request?.[member];
  return names ? Object.keys(names) : [];
}

/** §5.5.1.1: the `sub` an ID token must be about, when the request names one with `value`. */
export function requestedSubject(request: ClaimsRequest | null | undefined): string | null {
  const value = request?.id_token?.sub?.value;
  return typeof value === 'string' && value !== '' ? value : null;
}
