import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingSecretError, resolveSecrets } from '../../../server/crypto/signer.js';
import { createCookieExchange } from '../../../server/http/cookie-exchange.js';
import { Messages } from '../../../server/messages/messages.js';
import { cookieStorage } from '../../../server/storage/cookie/cookie-storage.js';
import { fallbackStorage } from '../../../server/storage/fallback-storage.js';
import { serverStorage } from '../../../server/storage/server-storage.js';
import { createMessages } from '../../../server/trpc/create-messages.js';
import { createRecordingBrowser } from '../../fixtures/trpc-client.js';
import { TestApps } from '../../fixtures/trpc-server.js';

const apps = new TestApps();
afterEach(async () => {
  await apps.closeAll();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Production, as `next build` and a deploy without the secret see it. */
function productionWithoutSecret() {
  vi.stubEnv('NODE_ENV', 'production');
  vi.stubEnv('MESSAGES_SECRET', undefined);
}

const storages = [
  { name: 'serverStorage', storage: () => serverStorage() },
  { name: 'cookieStorage', storage: () => cookieStorage() },
  { name: 'fallbackStorage', storage: () => fallbackStorage() },
];

describe('the secret, checked when first needed', () => {
  it.each(storages)(
    'builds a kit on $name in production without a secret (as next build loads the app)',
    ({ storage }) => {
      productionWithoutSecret();
      expect(() => createMessages({ storage: storage() })).not.toThrow();
      expect(() => createMessages()).not.toThrow();
    },
  );

  it.each(storages)(
    'on $name, fails the request that must sign with the error saying how to set a secret, reported once',
    async ({ storage }) => {
      productionWithoutSecret();
      const onError = vi.fn();
      const app = await apps.start('standalone', { storage: storage(), onError });
      const { client } = createRecordingBrowser(app.url);

      for (let i = 0; i < 3; i += 1) {
        await expect(client.add.mutate({ text: 'Saved.' })).rejects.toThrow(
          /no secret configured; set MESSAGES_SECRET or pass \{ secret \}/,
        );
      }
      expect(onError).toHaveBeenCalledTimes(1);
      expect(String(onError.mock.calls[0]?.[0])).toContain('MESSAGES_SECRET');
    },
  );

  it.each(storages)(
    'on $name, serves a request that touches no message without a secret',
    async ({ storage }) => {
      productionWithoutSecret();
      const onError = vi.fn();
      const app = await apps.start('standalone', { storage: storage(), onError });
      const { client } = createRecordingBrowser(app.url);

      expect(await client.ping.query()).toBe('pong');
      expect(onError).not.toHaveBeenCalled();
    },
  );

  it("signs the default storage's session cookie with the kit's own secret", async () => {
    productionWithoutSecret();
    const kit = createMessages({ secret: 'kit-secret-0123456789abcdefghijklmnop' });
    const exchange = createCookieExchange('', { secure: false });
    const messages = new Messages(kit.storage.open(exchange));
    messages.success('Saved.');
    await expect(messages.update()).resolves.toEqual([]);
    expect(exchange.setCookieHeaders().join()).toMatch(/^messages_session=/);
  });

  it('requires a secret where the runtime has no environment variables (workerd without nodejs_compat)', () => {
    const { process: real } = globalThis;
    // Synchronous: nothing else runs while the runtime looks like workerd's.
    vi.stubGlobal('process', { ...real, env: undefined });
    let error: unknown;
    try {
      resolveSecrets(undefined);
    } catch (caught) {
      error = caught;
    } finally {
      vi.unstubAllGlobals();
    }
    expect(error).toBeInstanceOf(MissingSecretError);
    expect(String(error)).toMatch(/no process\.env.*pass \{ secret \}/);
    expect(resolveSecrets('given')).toEqual(['given']);
  });

  it('still refuses an empty secret passed in, at once', () => {
    expect(() => cookieStorage({ secret: '' })).toThrow(/non-empty string/);
    expect(() => serverStorage({ secret: [] })).toThrow(/non-empty string/);
  });
});
