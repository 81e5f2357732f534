import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** A solid-colour raster image built with sharp. */
export function aRaster(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', size = 64): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: 20, g: 120, b: 220 } } })
    .toFormat(format)
    .toBuffer();
}

export const A_SVG = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#36c"/></svg>\n',
);

/** A multipart/form-data body, serialised by the platform's own FormData. */
export async function multipart(
  parts: Record<string, Buffer | string>,
  filename = 'logo.bin',
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value], { type: 'application/octet-stream' }), filename);
  }
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

/**
 * A real HTTP server on a loopback port that serves logos, and misbehaves on request: too large (with
 * and without Content-Length), never answering, redirecting, not an image, 404.
 */
export class LogoOrigin {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(files: { png: Buffer; svg: Buffer }): Promise<LogoOrigin> {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 0x41);
    const send = (res: ServerResponse, type: string, body: Buffer) => {
      res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) });
      res.end(body);
    };
    const server = createServer((req, res) => {
      switch (req.url) {
        case '/logo.png':
          return send(res, 'image/png', files.png);
        case '/logo.svg':
          return send(res, 'image/svg+xml', files.svg);
        case '/moved':
          res.writeHead(302, { location: '/logo.svg' });
          return res.end();
        case '/to-metadata':
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
          return res.end();
        case '/huge':
          return send(res, 'image/png', big);
        case '/huge-chunked': {
          // No Content-Length: the size shows only while the body streams in.
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(files.png);
          for (let i = 0; i < 40; i++) res.write(Buffer.alloc(64 * 1024, 0x42));
          return res.end();
        }
        case '/hang':
          // Accepts the request and never answers.
          return;
        case '/text':
          return send(res, 'text/plain', Buffer.from('hello, not an image'));
        default:
          res.writeHead(404);
          return res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new LogoOrigin(server, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
