/**
 * Keeping credentials out of everything a user sees: URLs lose their userinfo, and any secret value
 * that still made it into a message (an HTTP library echoing a header) is replaced.
 */

/** `https://user:token@host/x.git` → `https://***@host/x.git`; anything that is not a URL stays. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
}

/** The text with every URL's userinfo and every occurrence of the given secrets replaced. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
