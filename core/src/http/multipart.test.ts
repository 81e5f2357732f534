import { describe, expect, it } from 'vitest';
import { ProblemError } from '../errors/problem.errors.js';
import { parseMultipart } from './multipart.js';

async function encode(form: FormData): Promise<{ body: Buffer; type: string }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type')! };
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return error as ProblemError;
}

describe('parseMultipart', () => {
  it('parses text fields and file parts; a repeated name keeps its first part', async () => {
    const form = new FormData();
    form.append('note', 'hello');
    form.append('file', new Blob([Buffer.from([0, 1, 2, 255])], { type: 'Image/PNG' }), 'me.png');
    form.append('file', new Blob(['second']), 'second.bin');
    form.append('note', 'ignored');
    const { body, type } = await encode(form);
    const parsed = await parseMultipart(type, body, 1024);
    expect(parsed.note).toBe('hello');
    expect(parsed.file).toEqual({
      filename: 'me.png',
      contentType: 'image/png',
      bytes: Buffer.from([0, 1, 2, 255]),
    });
  });

  it('gives an empty body no fields', async () => {
    expect(await parseMultipart(undefined, Buffer.alloc(0), 10)).toEqual({});
  });

  it('refuses another media type and a malformed body with 400 invalid_request_body', async () => {
    const json = await problemOf(parseMultipart('application/json', Buffer.from('{}'), 10));
    expect([json.status, json.code]).toEqual([400, 'invalid_request_body']);
    const broken = await problemOf(
      parseMultipart('multipart/form-data; boundary=abc', Buffer.from('--nope\r\ngarbage'), 10),
    );
    expect([broken.status, broken.code]).toEqual([400, 'invalid_request_body']);
  });

  it('refuses a file over the limit with 413 file_too_large and details.max_size', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(11)]), 'big.bin');
    const { body, type } = await encode(form);
    const problem = await problemOf(parseMultipart(type, body, 10));
    expect([problem.status, problem.code, problem.details]).toEqual([
      413,
      'file_too_large',
      { max_size: 10 },
    ]);
    expect(Object.keys(await parseMultipart(type, body, 11))).toEqual(['file']);
  });
});
