import { ProblemError, problems } from '../errors/problem.errors.js';
import type { BodyKind, QueryValue } from './route.js';

/**
 * Core parses request bodies from raw bytes (CONVENTIONS: never trust a body a host framework parsed
 * its own way), so Fastify and Express give identical answers.
 */
export async function readBody(
  stream: AsyncIterable<Uint8Array> | undefined,
  declaredLength: string | undefined,
  limit: number,
  tooLarge: (limit: number) => Error = problems.bodyTooLarge,
): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  if (declaredLength !== undefined && Number(declaredLength) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** `application/json` or `application/<x>+json`, as Pocket ID accepts. */
function isJson(mediaType: string): boolean {
  return (
    mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
  );
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** Collects `key=value` pairs, keeping repeated keys as arrays so they can be refused or used. */
export function parseParams(search: string): Record<string, QueryValue> {
  const out: Record<string, QueryValue> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) {
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else out[key] = [prior, value];
  }
  return out;
}

export function parseBody(kind: BodyKind, contentType: string | undefined, raw: Buffer): unknown {
  if (kind === 'none') return undefined;
  const mediaType = mediaTypeOf(contentType);
  if (kind === 'json') {
    if (raw.length === 0) return undefined;
    if (!isJson(mediaType)) {
      throw problems.invalidRequestBody('The request body must be JSON (Content-Type: application/json)');
    }
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw problems.invalidRequestBody(`The request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  // form
  if (raw.length === 0) return Object.create(null);
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new ProblemError({
      status: 400,
      code: 'invalid_request_body',
      detail: 'The request body must be application/x-www-form-urlencoded',
    });
  }
  return parseParams(raw.toString('utf8'));
}
