import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoSecret } from '../../demo/secret.js';

describe('the demo’s secret', () => {
  it('is MESSAGES_SECRET when it is set, with nothing said', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (secret) => {
        const said: string[] = [];
        expect(demoSecret({ MESSAGES_SECRET: secret }, (line) => said.push(line))).toBe(secret);
        expect(said).toEqual([]);
      }),
    );
  });

  it('is made up, 32 random bytes, when MESSAGES_SECRET is unset or empty, and says so in one line', () => {
    for (const environment of [{}, { MESSAGES_SECRET: '' }]) {
      const said: string[] = [];
      const secrets = [1, 2, 3].map(() => demoSecret(environment, (line) => said.push(line)));
      expect(new Set(secrets).size).toBe(3);
      for (const secret of secrets) expect(secret).toMatch(/^[\w-]{43}$/);
      expect(said).toHaveLength(3);
      expect(said[0]).toMatch(
        /^trpc-messages demo: MESSAGES_SECRET is not set.*set MESSAGES_SECRET/,
      );
      expect(said[0]).not.toContain('\n');
    }
  });
});
