import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, serialize } from 'cookie';
import { MAX_NAME_LENGTH } from '../user.js';

// A stand-in for an app's own sign-in (a password, a provider): the demo's user is a name the
// visitor types, kept in a cookie. It shows where the messages kit is told who is signed in.
const USER_COOKIE = 'demo_user';

/** The user a request is signed in as, if any. */
export function userOf(req: IncomingMessage): string | undefined {
  const name = parse(req.headers.cookie ?? '')[USER_COOKIE];
  return name ? name.slice(0, MAX_NAME_LENGTH) : undefined;
}

/** Signs the browser in as `name`, or out (undefined), for its next requests. */
export function setUser(res: ServerResponse, name: string | undefined): void {
  res.appendHeader(
    'set-cookie',
    serialize(USER_COOKIE, name ?? '', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      ...(name === undefined ? { maxAge: 0 } : {}),
    }),
  );
}
