import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Signer } from '../../../server/crypto/signer.js';
import {
  DEFAULT_MAX_AGE_SECONDS,
  TimestampSigner,
  UNTIMED_VALUES_READ_UNTIL,
} from '../../../server/crypto/timestamp-signer.js';

const SECRET = 't'.repeat(32);
const DAY = 24 * 60 * 60 * 1000;
const signer = () => new Signer(SECRET, 'test.timestamped');
const timed = (maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS) =>
  new TimestampSigner(signer(), maxAgeSeconds);

/** A version's numbers, for comparing. */
const versionOf = (version: string) => version.split('.').map(Number) as [number, number, number];

describe('TimestampSigner', () => {
  it('unsigns what it signed, with the second it was signed', () => {
    const now = Date.UTC(2026, 11, 8, 10, 30, 15, 250);
    const values = timed();
    expect(values.unsign(values.sign('abc', now), now + 1000)).toEqual({
      value: 'abc',
      issuedAt: Date.UTC(2026, 11, 8, 10, 30, 15),
    });
  });

  it('accepts a value up to its maximum age and refuses it from then on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 * 24 * 3600 }),
        fc.integer({ min: 0, max: 60 * DAY }),
        (maxAgeSeconds, age) => {
          const values = timed(maxAgeSeconds);
          const issued = 1_800_000_000_000; // a whole second
          const read = values.unsign(values.sign('id', issued), issued + age);
          expect(read === undefined).toBe(age >= maxAgeSeconds * 1000);
          expect(values.isYoung(issued, issued + age)).toBe(read !== undefined);
          // Remembered, a value read again is judged by its age alone, the same way.
          const remembering = new TimestampSigner(signer(), maxAgeSeconds, { remember: 4 });
          const signed = remembering.sign('id', issued);
          expect(remembering.unsign(signed, issued + age) === undefined).toBe(read === undefined);
        },
      ),
    );
  });

  it('refuses a value whose issue time was changed, or signed by another secret', () => {
    const values = timed();
    const now = Date.now();
    const signed = values.sign('id', now - 20 * DAY);
    const [id, issued, signature] = signed.split('.');
    const younger = `${id}.${Math.floor(now / 1000).toString(36)}.${signature}`;
    expect(issued).not.toBe(Math.floor(now / 1000).toString(36));
    expect(values.unsign(younger, now)).toBeUndefined();
    const other = new TimestampSigner(new Signer('o'.repeat(32), 'test.timestamped'), 3600);
    expect(values.unsign(other.sign('id', now), now)).toBeUndefined();
  });

  it('says when a value has lived half its age, and that an untimed one has', () => {
    const values = timed(100);
    expect(values.halfLived(1_000_000, 1_049_999)).toBe(false);
    expect(values.halfLived(1_000_000, 1_050_000)).toBe(true);
    expect(values.halfLived(undefined)).toBe(true);
  });

  it('knows the length of a value once signed, for any time from 1971 to 2100', () => {
    const values = timed();
    fc.assert(
      fc.property(fc.integer({ min: 36 ** 5 * 1000, max: 4_102_444_800_000 }), (now) => {
        expect(values.signedLength('abc', now)).toBe(values.sign('abc', now).length);
      }),
    );
  });

  it(`reads untimed values of versions before 0.2.0 until ${UNTIMED_VALUES_READ_UNTIL}`, () => {
    // An untimed value: the id and its signature alone, as versions before 0.2.0 wrote it.
    const untimed = signer().sign('legacy-id');
    expect(timed().unsign(untimed)).toEqual({ value: 'legacy-id', issuedAt: undefined });
    expect(timed().isYoung(undefined)).toBe(true);
    // Once the package reaches that version, untimed values must be refused: remove their
    // reading (TimestampSigner.read and isYoung), then this test.
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const [major, minor] = versionOf(version);
    const [untilMajor, untilMinor] = versionOf(UNTIMED_VALUES_READ_UNTIL);
    expect(major < untilMajor || (major === untilMajor && minor < untilMinor)).toBe(true);
  });
});
