// The one way the pages talk to the server: the API under /api/v1, signed in
// by the session cookie, with the CSRF token on every request that changes
// something. No other host is ever asked for anything.

let csrfToken = null;

/** Remembers the session's CSRF token (from POST/GET /session). */
export function setCsrf(token) {
  csrfToken = token || null;
}

/** An answer that is not a success, with the API's code and diagnostics. */
export class ApiError extends Error {
  constructor(status, envelope) {
    const error = (envelope && envelope.error) || {};
    super(error.message || `the server answered ${status}`);
    this.status = status;
    this.code = error.code || (status === 0 ? 'network' : `http_${status}`);
    this.diagnostics = Array.isArray(error.diagnostics) ? error.diagnostics : [];
    this.retryAfter = null;
  }
}

/**
 * Calls the API: request(method, '/rounds', {json | toml | bytes, accept});
 * bytes is {body, type}: a Blob or File sent as it is, with its media type.
 * Resolves to {data, version, contentType}; rejects with ApiError (status 0
 * when the server could not be reached).
 */
export async function request(method, path, { json, toml, bytes, accept } = {}) {
  const headers = {};
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (toml !== undefined) {
    headers['Content-Type'] = 'application/toml';
    body = toml;
  } else if (bytes !== undefined) {
    headers['Content-Type'] = bytes.type;
    body = bytes.body;
  }
  if (accept) headers.Accept = accept;
  if (!['GET', 'HEAD'].includes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (cause) {
    throw new ApiError(0, { error: { code: 'network', message: 'The server could not be reached. Nothing you typed is lost: try again.' } });
  }
  const contentType = response.headers.get('content-type') || '';
  const text = response.status === 204 ? '' : await response.text();
  let data = text;
  if (contentType.includes('json') && text) {
    try {
      data = JSON.parse(text);
    } catch (cause) {
      data = text;
    }
  }
  if (!response.ok) {
    const envelope = data && typeof data === 'object' ? data : { error: { message: text } };
    const error = new ApiError(response.status, envelope);
    error.retryAfter = response.headers.get('retry-after');
    throw error;
  }
  return { data, version: Number(response.headers.get('x-caisson-version')) || null, contentType };
}

/** GET returning the body only. */
export async function get(path, options) {
  return (await request('GET', path, options)).data;
}

/** POST JSON returning the body only. */
export async function post(path, json) {
  return (await request('POST', path, json === undefined ? {} : { json })).data;
}

/** Path segment escaping for ids typed by people. */
export function seg(value) {
  return encodeURIComponent(String(value));
}
