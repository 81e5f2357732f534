import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): any;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * A plain node:http client: unlike fetch it sends exactly what the test says (malformed paths,
 * repeated parameters, lying Content-Length) and hides nothing of the answer.
 */
export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method ?? 'GET',
        path: req.path,
        headers: req.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** Headers that legitimately differ between two answers to the same request. */
const VOLATILE = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding']);

/** The parts of an answer that must be identical across HTTP hosts. */
export function comparable(res: RawResponse): {
  status: number;
  headers: Record<string, unknown>;
  body: string;
} {
  const headers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!VOLATILE.has(k)) headers[k] = v;
  let body = res.text;
  // Problem bodies carry the request id; it differs per request by design.
  if (/json/.test(String(res.headers['content-type']))) {
    try {
      const parsed = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && 'request_id' in parsed) parsed.request_id = '<id>';
      body = JSON.stringify(parsed);
    } catch {
      /* not JSON after all: compare as text */
    }
  }
  return { status: res.status, headers, body };
}
