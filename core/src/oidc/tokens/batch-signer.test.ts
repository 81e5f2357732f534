import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchSigner } from './batch-signer.js';

/** The same signature on this thread. */
function signHere(input: string, digest: string | null, key: KeyObject): string {
  return sign(digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

const KEYS: {
  alg: string;
  digest: string | null;
  pair: () => { privateKey: KeyObject; publicKey: KeyObject };
}[] = [
  { alg: 'RS256', digest: 'sha256', pair: () => generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  { alg: 'ES256', digest: 'sha256', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { alg: 'ES384', digest: 'sha384', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }) },
  { alg: 'ES512', digest: 'sha512', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-521' }) },
  { alg: 'EdDSA', digest: null, pair: () => generateKeyPairSync('ed25519') },
];

function verifies(input: string, signature: string, digest: string | null, publicKey: KeyObject): boolean {
  return verify(
    digest,
    Buffer.from(input),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
}

describe('BatchSigner', () => {
  const signers: BatchSigner[] = [];
  const aSigner = (maxWorkers?: number) => {
    const signer = new BatchSigner({ maxWorkers });
    signers.push(signer);
    return signer;
  };
  afterEach(async () => {
    for (const signer of signers.splice(0)) await signer.close();
  });

  it.each(KEYS)('signs $alg as JWS wants it (raw r‖s for ECDSA), as node:crypto does here', async (k) => {
    const { privateKey, publicKey } = k.pair();
    const signature = await aSigner().sign('header.payload', k.digest, `kid-${k.alg}`, privateKey);
    expect(verifies('header.payload', signature, k.digest, publicKey)).toBe(true);
    // Deterministic signatures (RSA PKCS #1 v1.5, Ed25519) come out byte for byte as on this thread.
    if (k.alg === 'RS256' || k.alg === 'EdDSA') {
      expect(signature).toBe(signHere('header.payload', k.digest, privateKey));
    }
  });

  it.each([1, 3])('answers every signature with its own, across keys and batches (%i workers)', async (n) => {
    const signer = aSigner(n);
    const pairs = [KEYS[0]!.pair(), KEYS[1]!.pair(), KEYS[4]!.pair()];
    const digests = ['sha256', 'sha256', null];
    const signOne = (input: string, k: number) =>
      signer.sign(input, digests[k]!, `key-${k}`, pairs[k]!.privateKey);
    // Each wave is asked in one turn of the event loop and travels as one batch; a wave asked while
    // RSA signatures of the one before are still out goes to another worker when there may be one.
    const waves = await Promise.all(
      [0, 1, 2].map(async (wave) => {
        await new Promise((resolve) => setTimeout(resolve, wave));
        const inputs = Array.from({ length: 30 }, (_, i) => `wave-${wave}-input-${i}`);
        return { inputs, signatures: await Promise.all(inputs.map((input, i) => signOne(input, i % 3))) };
      }),
    );
    for (const { inputs, signatures } of waves) {
      signatures.forEach((signature, i) => {
        const k = i % 3;
        expect(verifies(inputs[i]!, signature, digests[k]!, pairs[k]!.publicKey), inputs[i]).toBe(true);
      });
    }
  });

  it('fails only the signature the worker cannot make, and goes on', async () => {
    const signer = aSigner();
    const ec = KEYS[1]!.pair();
    const [bad, good] = await Promise.allSettled([
      // An Ed25519 signature takes no digest: OpenSSL refuses it.
      signer.sign('x', 'sha256', 'ed', KEYS[4]!.pair().privateKey),
      signer.sign('y', 'sha256', 'ec', ec.privateKey),
    ]);
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason.message).toMatch(/^Signing failed: /);
    expect(good.status === 'fulfilled' && verifies('y', good.value, 'sha256', ec.publicKey)).toBe(true);
    const later = await signer.sign('z', 'sha256', 'ec', ec.privateKey);
    expect(verifies('z', later, 'sha256', ec.publicKey)).toBe(true);
  });

  it('signs with the key it is given now, when a kid comes back with another key', async () => {
    const signer = aSigner();
    const first = KEYS[1]!.pair();
    const second = KEYS[1]!.pair();
    expect(
      verifies('a', await signer.sign('a', 'sha256', 'same', first.privateKey), 'sha256', first.publicKey),
    ).toBe(true);
    const again = await signer.sign('b', 'sha256', 'same', second.privateKey);
    expect(verifies('b', again, 'sha256', second.publicKey)).toBe(true);
  });

  it('fails what it holds when closed, and starts a new worker for the next signature', async () => {
    const signer = aSigner();
    const { privateKey, publicKey } = KEYS[1]!.pair();
    await signer.sign('warm', 'sha256', 'k', privateKey);
    const held = signer.sign('held', 'sha256', 'k', privateKey);
    // The batch leaves on the next turn; closing first fails it.
    const failed = expect(held).rejects.toThrow('The signer was closed');
    await signer.close();
    await failed;
    // The new worker has never seen the key: it travels again.
    const next = await signer.sign('next', 'sha256', 'k', privateKey);
    expect(verifies('next', next, 'sha256', publicKey)).toBe(true);
  });

  it.runIf(process.platform === 'linux')(
    'runs its workers the given nice steps below the thread that starts them',
    async () => {
      // On Linux, getpriority(2) takes a thread id.
      const threadsAt = (nice: number) =>
        readdirSync('/proc/self/task').filter((tid) => getPriority(Number(tid)) === nice);
      const base = getPriority(0);
      const lowered = Math.min(19, base + 7);
      const before = threadsAt(lowered).length;
      const signer = new BatchSigner({ maxWorkers: 1, nice: 7 });
      signers.push(signer);
      const { privateKey, publicKey } = KEYS[1]!.pair();
      const signature = await signer.sign('niced', KEYS[1]!.digest, 'k', privateKey);
      expect(verifies('niced', signature, KEYS[1]!.digest, publicKey)).toBe(true);
      // The worker's own thread, and only it; this thread keeps its priority.
      expect(threadsAt(lowered).length).toBe(before + 1);
      expect(getPriority(0)).toBe(base);
    },
  );

  it('does not keep a process alive once its signatures are done', async () => {
    const module = fileURLToPath(new URL('../../../dist/oidc/tokens/batch-signer.js', import.meta.url));
    const script = `
      import { generateKeyPairSync } from 'node:crypto';
      const { BatchSigner } = await import(${JSON.stringify(module)});
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const signer = new BatchSigner();
      const signature = await signer.sign('input', 'sha256', 'k', privateKey);
      console.log(signature.length);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    // 64 bytes of r‖s in base64url; the process then exited by itself, without close().
    expect(stdout.trim()).toBe('86');
  });
});
