// The JSON API, called with the browser's session cookie. Requests are
// same-origin fetches, so the browser sends Sec-Fetch-Site: same-origin and
// the server's cross-origin check lets them through; no CSRF token is needed.

export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api calls /api/v1{path} and returns the decoded JSON answer (null for 204).
// body is sent as JSON, or as it is when it is a Blob (a file).
// A 401 sends the browser to the sign-in page unless opts.noRedirect.
export async function api(method, path, body, opts = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body instanceof Blob) {
    init.body = body;
    init.headers['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch {
    throw new APIError(0, 'network', 'Herald could not be reached. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  let data = null;
  if ((res.headers.get('Content-Type') || '').includes('application/json')) {
    data = await res.json().catch(() => null);
  }
  if (!res.ok) {
    const e = data && data.error;
    const err = new APIError(res.status, (e && e.code) || 'http_' + res.status,
      (e && e.message) || `Herald answered ${res.status} ${res.statusText}.`);
    if (res.status === 401 && !opts.noRedirect) toSignIn();
    throw err;
  }
  return data;
}

// toSignIn sends the browser to the sign-in page, to come back here after.
export function toSignIn() {
  location.assign('/signin?next=' + encodeURIComponent(location.pathname + location.search));
}

// safeNext returns a same-origin path to go to after signing in.
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const u = new URL(next, location.origin);
    return u.origin === location.origin ? u.pathname + u.search + u.hash : '/';
  } catch {
    return '/';
  }
}

// seg encodes an id for a URL path.
export const seg = encodeURIComponent;
