/** The token carried by an `Authorization` header (`token X`, `Bearer X` or Basic with X as password). */
export function tokenFromAuthorization(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (match === null) return null;
  const scheme = (match[1] ?? '').toLowerCase();
  const credentials = (match[2] ?? '').trim();
  if (scheme === 'token' || scheme === 'bearer') return credentials;
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return decoded;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // git sends `x-access-token:<token>`; the token as username with an empty or
    // `x-oauth-basic` password also works on GitHub.
    if (password === '' || password === 'x-oauth-basic') return user;
    return password;
  }
  return null;
}
