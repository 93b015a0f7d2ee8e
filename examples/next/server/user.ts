import { cookies } from 'next/headers';

// A stand-in for the app's own authentication (Auth.js, Clerk, a session of its own): the
// signed-in user's name in a cookie. Only where the kit is told who signed in matters here.
const USER_COOKIE = 'example_user';

/** The signed-in user of a route handler's request, if any. */
export function userOfRequest(req: Request): string | undefined {
  const cookie = req.headers.get('cookie') ?? '';
  const found = cookie.split('; ').find((pair) => pair.startsWith(`${USER_COOKIE}=`));
  return found ? decodeURIComponent(found.slice(USER_COOKIE.length + 1)) : undefined;
}

/** The signed-in user of a server component or Server Action, if any. */
export async function currentUser(): Promise<string | undefined> {
  return (await cookies()).get(USER_COOKIE)?.value;
}

/** Signs `name` in, or (undefined) the user out, for the app's next requests. */
export async function setCurrentUser(name: string | undefined): Promise<void> {
  const jar = await cookies();
  if (name === undefined) jar.delete(USER_COOKIE);
  else jar.set(USER_COOKIE, name, { httpOnly: true, sameSite: 'lax', path: '/' });
}
