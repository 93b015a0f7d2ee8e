import { parseSetCookie } from 'cookie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCookieExchange } from '../../../../server/http/cookie-exchange.js';
import { CookieWriter } from '../../../../server/storage/cookie/cookie-writer.js';

function written(writer: CookieWriter, secure = false, value: string | null = 'v'): string {
  const exchange = createCookieExchange(undefined, { secure });
  if (value === null) writer.delete(exchange);
  else writer.set(exchange, value);
  const headers = exchange.setCookieHeaders();
  expect(headers).toHaveLength(1);
  return headers[0] ?? '';
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('CookieWriter', () => {
  it('uses the default name unless given one', () => {
    expect(new CookieWriter({}, 'messages').name).toBe('messages');
    expect(new CookieWriter({ name: 'flash' }, 'messages').name).toBe('flash');
  });

  it('defaults to Path=/, HttpOnly, SameSite=Lax and no Secure on http', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const header = written(new CookieWriter({}, 'messages'));
    expect(header).toBe('messages=v; Path=/; HttpOnly; SameSite=Lax');
  });

  it('adds Secure on https requests by default', () => {
    vi.stubEnv('NODE_ENV', 'development');
    expect(parseSetCookie(written(new CookieWriter({}, 'messages'), true)).secure).toBe(true);
  });

  it('adds Secure whenever NODE_ENV is production, even on http', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(parseSetCookie(written(new CookieWriter({}, 'messages'), false)).secure).toBe(true);
  });

  it('reads NODE_ENV once, when it is built', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const writer = new CookieWriter({}, 'messages');
    vi.stubEnv('NODE_ENV', 'production');
    expect(written(writer)).not.toContain('Secure');
    expect(written(new CookieWriter({}, 'messages'))).toContain('Secure');
  });

  it('honours secure: true on http and secure: false on https and in production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(written(new CookieWriter({ secure: true }, 'm'), false)).toContain('; Secure');
    expect(written(new CookieWriter({ secure: false }, 'm'), true)).not.toContain('Secure');
  });

  it('honours a custom name, path, domain, sameSite, maxAge, httpOnly and partitioned', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const writer = new CookieWriter(
      {
        name: 'flash',
        path: '/app',
        domain: 'example.com',
        sameSite: 'strict',
        maxAge: 3600,
        httpOnly: false,
        partitioned: true,
        secure: true,
      },
      'messages',
    );
    const header = written(writer);
    expect(parseSetCookie(header)).toEqual({
      name: 'flash',
      value: 'v',
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      maxAge: 3600,
      secure: true,
      partitioned: true,
    });
    expect(header).not.toContain('HttpOnly');
  });

  it('writes SameSite=None when asked', () => {
    expect(written(new CookieWriter({ sameSite: 'none', secure: true }, 'm'))).toContain(
      'SameSite=None',
    );
  });

  it('makes SameSite=None and partitioned cookies Secure even on http, as browsers require', () => {
    vi.stubEnv('NODE_ENV', 'development');
    expect(written(new CookieWriter({ sameSite: 'none' }, 'm'), false)).toContain('; Secure');
    expect(written(new CookieWriter({ partitioned: true }, 'm'), false)).toContain('; Secure');
  });

  it('refuses secure: false on a SameSite=None or partitioned cookie', () => {
    expect(() => new CookieWriter({ sameSite: 'none', secure: false }, 'm')).toThrow(/Secure/);
    expect(() => new CookieWriter({ partitioned: true, secure: false }, 'm')).toThrow(RangeError);
  });

  it('deletes with Max-Age=0, an Expires in 1970 and the same attributes', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const writer = new CookieWriter(
      { name: 'flash', path: '/app', domain: 'example.com', sameSite: 'strict', maxAge: 3600 },
      'messages',
    );
    const header = written(writer, true, null);
    expect(parseSetCookie(header)).toEqual({
      name: 'flash',
      value: '',
      path: '/app',
      domain: 'example.com',
      sameSite: 'strict',
      maxAge: 0,
      expires: new Date(0),
      httpOnly: true,
      secure: true,
    });
  });

  it('throws at construction for an invalid cookie name', () => {
    for (const name of ['', 'a b', 'a;b', 'a=b', 'tab\tname', 'naïve', 'new\nline']) {
      expect(() => new CookieWriter({ name }, 'messages'), JSON.stringify(name)).toThrow(TypeError);
    }
  });

  it('throws at construction for an invalid path, domain or maxAge', () => {
    expect(() => new CookieWriter({ path: '/a;b' }, 'm')).toThrow(TypeError);
    expect(() => new CookieWriter({ domain: 'exa mple.com' }, 'm')).toThrow(TypeError);
    expect(() => new CookieWriter({ maxAge: 1.5 }, 'm')).toThrow(TypeError);
    expect(() => new CookieWriter({ maxAge: Number.NaN }, 'm')).toThrow(TypeError);
  });

  it('replaces its own earlier header within one exchange', () => {
    const writer = new CookieWriter({}, 'messages');
    const exchange = createCookieExchange(undefined, { secure: false });
    writer.set(exchange, 'first');
    writer.set(exchange, 'second');
    expect(exchange.setCookieHeaders()).toHaveLength(1);
    expect(exchange.setCookieHeaders()[0]).toMatch(/^messages=second;/);
    writer.delete(exchange);
    expect(exchange.setCookieHeaders()).toHaveLength(1);
    expect(exchange.setCookieHeaders()[0]).toMatch(/^messages=; Max-Age=0;/);
  });
});
