/** What a discovery contributor knows about the request it describes. */
export interface DiscoveryContext {
  /** The issuer the request sees (APP_URL today). Browser-facing endpoints hang off it. */
  issuer: string;
  /**
   * Base URL for back-channel endpoints (token, userinfo, introspection, JWKS, PAR): INTERNAL_APP_URL,
   * as Pocket ID advertises them, so servers can reach them on an internal address.
   */
  backchannelBase: string;
}

export type DiscoveryContributor = (ctx: DiscoveryContext) => Record<string, unknown>;

/**
 * The OpenID Provider / RFC 8414 metadata document, assembled from what each endpoint registers about
 * itself. A feature that is not loaded contributes nothing, so the document advertises only what works.
 */
export class DiscoveryRegistry {
  private readonly contributors: { id: string; contribute: DiscoveryContributor }[] = [];
  private readonly serialized = new Map<string, { version: unknown; json: string }>();

  /**
   * `version` names the mutable state contributors read besides the context (the current signing key,
   * whose algorithm is advertised): while it returns the same value, `serialize` reuses its last text.
   */
  constructor(private readonly options: { version?: () => unknown } = {}) {}

  /** `id` names the contributor in errors; two contributors may not set the same member. */
  add(id: string, contribute: DiscoveryContributor): void {
    if (this.contributors.some((c) => c.id === id))
      throw new Error(`Discovery contributor ${id} is already registered`);
    this.contributors.push({ id, contribute });
  }

  build(ctx: DiscoveryContext): Record<string, unknown> {
    const doc: Record<string, unknown> = {};
    const owner: Record<string, string> = {};
    for (const { id, contribute } of this.contributors) {
      for (const [key, value] of Object.entries(contribute(ctx))) {
        if (key in owner) throw new Error(`Discovery member ${key} is set by both ${owner[key]} and ${id}`);
        owner[key] = id;
        doc[key] = value;
      }
    }
    return doc;
  }

  /**
   * The document as JSON text, built once per issuer and back-channel base and rebuilt when `version`
   * changes: discovery is the most fetched document an OP serves, and it changes only on key rotation.
   */
  serialize(ctx: DiscoveryContext): string {
    const key = `${ctx.issuer} ${ctx.backchannelBase}`;
    const version = this.options.version?.();
    const hit = this.serialized.get(key);
    if (hit && hit.version === version) return hit.json;
    const json = JSON.stringify(this.build(ctx));
    this.serialized.set(key, { version, json });
    return json;
  }
}
