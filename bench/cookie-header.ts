/** The Cookie header a browser sends back after these Set-Cookie headers. */
export function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((header) => header.slice(0, header.indexOf(';'))).join('; ');
}

/** The Cookie header `cookies` becomes once a browser applies these Set-Cookie headers. */
export function mergeCookies(cookies: string, setCookies: readonly string[]): string {
  const jar = new Map(
    cookies
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const),
  );
  for (const header of setCookies) {
    const pair = header.slice(0, header.indexOf(';'));
    const name = pair.slice(0, pair.indexOf('='));
    // A deletion (Max-Age=0) empties the value.
    if (/max-age=0/i.test(header) || pair.endsWith('=')) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
}
