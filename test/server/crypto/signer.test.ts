import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeHmacKey } from '../../../server/crypto/hmac.js';
import { KnownValues } from '../../../server/crypto/known-values.js';
import { resolveSecrets, Signer } from '../../../server/crypto/signer.js';

const SECRET = 's'.repeat(32);
const SALT = 'test.salt';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function splitSigned(signed: string): { value: string; signature: string } {
  const dot = signed.lastIndexOf('.');
  return { value: signed.slice(0, dot), signature: signed.slice(dot + 1) };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('Signer', () => {
  it('unsigns what it signed', () => {
    const signer = new Signer(SECRET, SALT);
    expect(signer.unsign(signer.sign('hello'))).toBe('hello');
    expect(signer.unsign(signer.sign(''))).toBe('');
  });

  it('appends a dot and a 43-character base64url HMAC-SHA256 signature', () => {
    const signed = new Signer(SECRET, SALT).sign('hello');
    const { value, signature } = splitSigned(signed);
    expect(value).toBe('hello');
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(signature, 'base64url')).toHaveLength(32);
  });

  it('signs as createHmac does, under the key derived from the secret and the salt', () => {
    // One signer per secret for the whole run: values long and short follow one another.
    const signers = ['s'.repeat(32), 'a', 'ü'.repeat(100)].map((secret) => ({
      signer: new Signer(secret, SALT),
      key: createHmac('sha256', secret).update(SALT).digest(),
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...signers),
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary', minLength: 400, maxLength: 3000 }),
        ),
        ({ signer, key }, value) => {
          const expected = createHmac('sha256', key).update(value).digest('base64url');
          expect(splitSigned(signer.sign(value)).signature).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with a memory, unsigns what it signed or verified, and still refuses any other value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 8 }),
        (values, remember) => {
          const signer = new Signer(SECRET, SALT, { remember, rememberLength: 200 });
          const other = new Signer(SECRET, SALT, { remember, rememberLength: 200 });
          for (const value of values) {
            const signed = signer.sign(value);
            expect(signer.unsign(signed)).toBe(value);
            expect(other.unsign(signed)).toBe(value);
            expect(other.unsign(signed)).toBe(value);
            const { signature } = splitSigned(signed);
            const forged = `${value}x.${signature}`;
            expect(signer.unsign(forged)).toBeUndefined();
            expect(other.unsign(forged)).toBeUndefined();
          }
        },
      ),
    );
  });

  it('remembers the values it signs, up to its length, so their HMAC is not computed again', () => {
    const signer = new Signer(SECRET, SALT, { remember: 4, rememberLength: 60 });
    const short = signer.sign('short');
    const long = signer.sign('l'.repeat(40)); // 84 characters signed: too long to remember
    const hmac = vi.spyOn(NodeHmacKey.prototype, 'sign');
    expect(signer.unsign(short)).toBe('short');
    expect(hmac).not.toHaveBeenCalled();
    expect(signer.unsign(long)).toBe('l'.repeat(40));
    expect(hmac).toHaveBeenCalledTimes(1);
  });

  it('signs the same value the same way every time', () => {
    const signer = new Signer(SECRET, SALT);
    expect(signer.sign('hello')).toBe(signer.sign('hello'));
    expect(new Signer(SECRET, SALT).sign('hello')).toBe(signer.sign('hello'));
  });

  it('unsigns values that themselves hold dots', () => {
    const signer = new Signer(SECRET, SALT);
    expect(signer.unsign(signer.sign('a.b.c'))).toBe('a.b.c');
    expect(signer.unsign(signer.sign('.'))).toBe('.');
  });

  it('round-trips any string', () => {
    const signer = new Signer(SECRET, SALT);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        expect(signer.unsign(signer.sign(value))).toBe(value);
      }),
    );
  });

  it('rejects a value that was changed after signing', () => {
    const signer = new Signer(SECRET, SALT);
    const { signature } = splitSigned(signer.sign('hello'));
    expect(signer.unsign(`hellO.${signature}`)).toBeUndefined();
    expect(signer.unsign(`hello!.${signature}`)).toBeUndefined();
    expect(signer.unsign(`.${signature}`)).toBeUndefined();
  });

  it('rejects anything without a dot, and an empty string', () => {
    const signer = new Signer(SECRET, SALT);
    expect(signer.unsign('')).toBeUndefined();
    expect(signer.unsign('hello')).toBeUndefined();
    expect(signer.unsign(signer.sign('hello').replace('.', ''))).toBeUndefined();
  });

  it('rejects signatures of the wrong length', () => {
    const signer = new Signer(SECRET, SALT);
    const { signature } = splitSigned(signer.sign('hello'));
    for (const wrong of [
      '',
      signature.slice(0, 42),
      signature.slice(0, 40),
      `${signature}A`,
      `${signature}AAAA`,
      `${signature}${signature}`,
    ]) {
      expect(signer.unsign(`hello.${wrong}`), wrong).toBeUndefined();
    }
  });

  it('rejects non-canonical base64url spellings of the right signature', () => {
    const signer = new Signer(SECRET, SALT);
    const { signature } = splitSigned(signer.sign('hello'));
    const bytes = Buffer.from(signature, 'base64url');
    // The last character carries 2 unused bits: a neighbour decodes to the same 32 bytes.
    const last = BASE64URL.indexOf(signature.at(-1) ?? '');
    const sloppy = signature.slice(0, -1) + BASE64URL[last ^ 1];
    expect(Buffer.from(sloppy, 'base64url').equals(bytes)).toBe(true);
    const variants = [
      sloppy,
      `${signature}=`,
      `${bytes.toString('base64')}`, // standard base64, with padding
      `${signature.slice(0, 10)} ${signature.slice(10)}`,
      `${signature.slice(0, 10)}!${signature.slice(10)}`,
      `${signature.slice(0, 10)}\n${signature.slice(10)}`,
    ];
    for (const variant of variants) {
      expect(Buffer.from(variant, 'base64url').subarray(0, 32).equals(bytes), variant).toBe(true);
      expect(signer.unsign(`hello.${variant}`), variant).toBeUndefined();
    }
  });

  it('rejects values signed with another secret', () => {
    const signed = new Signer('other secret', SALT).sign('hello');
    expect(new Signer(SECRET, SALT).unsign(signed)).toBeUndefined();
  });

  it('rejects values signed with the same secret under another salt', () => {
    const signed = new Signer(SECRET, 'another.salt').sign('hello');
    expect(new Signer(SECRET, SALT).unsign(signed)).toBeUndefined();
  });

  it('signs with the first secret and verifies with every one (rotation)', () => {
    const oldSigned = new Signer('old', SALT).sign('from before');
    const rotating = new Signer(['new', 'old'], SALT);
    expect(rotating.unsign(oldSigned)).toBe('from before');

    const newSigned = rotating.sign('from now');
    expect(newSigned).toBe(new Signer('new', SALT).sign('from now'));
    expect(new Signer('new', SALT).unsign(newSigned)).toBe('from now');
    expect(new Signer('old', SALT).unsign(newSigned)).toBeUndefined();
  });

  it('never throws on any input', () => {
    const signer = new Signer(SECRET, SALT);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        expect(signer.unsign(input)).toBeUndefined();
      }),
    );
  });
});

describe('KnownValues', () => {
  const signer = new Signer(SECRET, SALT);

  it('gives what a value it was told of holds, and nothing for any other string', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 700 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
        (values, size, pick, change) => {
          const known = new KnownValues<string>(size);
          for (const value of values) known.set(signer.sign(value), value);
          const value = values[pick % values.length] as string;
          const signed = signer.sign(value);
          // The last one set is always there; any other may have given its slot to a newer one.
          known.set(signed, value);
          expect(known.get(signed)).toBe(value);
          // The same text in another string (as a request's header brings it) is known too.
          expect(known.get(Buffer.from(signed).toString())).toBe(value);
          const at = pick % signed.length;
          const variants = [
            signed.slice(0, at) + change + signed.slice(at + 1),
            signed.slice(0, at) + change + signed.slice(at),
            signed.slice(0, at) + signed.slice(at + 1),
            `${signed}${change}`,
            `${change}${signed}`,
            signed.slice(0, -1),
            '',
          ];
          for (const variant of variants) {
            if (variant === signed) continue;
            expect(known.get(variant)).toBeUndefined();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the newer of two values that share a slot, and forgets the older', () => {
    const known = new KnownValues<number>(1);
    const values = Array.from({ length: 40 }, (_, i) => signer.sign(`value ${i}`));
    for (const [i, value] of values.entries()) known.set(value, i);
    expect(known.get(values.at(-1) as string)).toBe(39);
    // Two slots for 40 values: most were replaced; none comes back as another's.
    const found = values.map((value) => known.get(value));
    expect(found.filter((i) => i !== undefined).length).toBeLessThanOrEqual(2);
    for (const [at, i] of found.entries()) if (i !== undefined) expect(i).toBe(at);
  });
});

describe('resolveSecrets', () => {
  it('takes one secret or a list of them', () => {
    expect(resolveSecrets('one')).toEqual(['one']);
    expect(resolveSecrets(['one', 'two'])).toEqual(['one', 'two']);
  });

  it('throws a TypeError for an empty secret or an empty list', () => {
    expect(() => resolveSecrets('')).toThrow(TypeError);
    expect(() => resolveSecrets([])).toThrow(TypeError);
    expect(() => resolveSecrets(['new', ''])).toThrow(TypeError);
    expect(() => new Signer('', SALT)).toThrow(/non-empty string/);
  });

  it('uses MESSAGES_SECRET when no secret is passed', () => {
    vi.stubEnv('MESSAGES_SECRET', 'from the environment');
    expect(resolveSecrets(undefined)).toEqual(['from the environment']);
    const signed = new Signer(undefined, SALT).sign('hello');
    expect(new Signer('from the environment', SALT).unsign(signed)).toBe('hello');
  });

  it('prefers a passed secret over MESSAGES_SECRET', () => {
    vi.stubEnv('MESSAGES_SECRET', 'from the environment');
    expect(resolveSecrets('passed')).toEqual(['passed']);
  });

  it('throws in production without a secret, saying how to set one', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('MESSAGES_SECRET', undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let error: unknown;
    try {
      resolveSecrets(undefined);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^trpc-messages: no secret configured/);
    expect((error as Error).message).toContain('MESSAGES_SECRET');
    expect((error as Error).message).toContain('{ secret }');
    expect(warn).not.toHaveBeenCalled();
  });

  it('outside production, uses one random secret per process and warns once', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    vi.stubEnv('MESSAGES_SECRET', undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The development secret is cached by the module: load a fresh copy.
    vi.resetModules();
    const fresh = await import('../../../server/crypto/signer.js');
    const { cookieStorage } = await import('../../../server/storage/cookie/cookie-storage.js');

    const first = fresh.resolveSecrets(undefined);
    const second = fresh.resolveSecrets(undefined);
    cookieStorage();
    cookieStorage({});
    new fresh.Signer(undefined, SALT);

    expect(first).toHaveLength(1);
    expect(first[0]?.length).toBeGreaterThanOrEqual(32);
    expect(second).toEqual(first);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain('MESSAGES_SECRET');
    // Two signers without a secret accept each other's values: one secret for the process.
    const signed = new fresh.Signer(undefined, SALT).sign('hello');
    expect(new fresh.Signer(undefined, SALT).unsign(signed)).toBe('hello');
    expect(new Signer(SECRET, SALT).unsign(signed)).toBeUndefined();
  });
});
