/** The Cookie header a browser sends back after these Set-Cookie headers. */
export function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((header) => header.slice(0, header.indexOf(';'))).join('; ');
}
