// The library API, as the pages call it. Every answer that is not a 200
// becomes an ApiError carrying the API's own `detail` (422, 404, 503, …).

export const LIBRARY = '/api/v1/library';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** GET `path` with `parameters` (empty values left out), as JSON. */
export async function get(path, parameters = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== '' && value !== null && value !== undefined) query.set(key, value);
  }
  const text = query.toString();
  const url = text ? `${path}?${text}` : path;
  return answer(await send(url, { headers: { Accept: 'application/json' } }));
}

/** POST to a system endpoint; its JSON answer. nginx refuses a POST there
 *  without this header (another site's page cannot add it). */
export async function post(path) {
  return answer(await send(path, { method: 'POST', headers: { 'X-Airwave-Request': '1' } }));
}

async function send(url, options) {
  try {
    return await fetch(url, options);
  } catch (error) {
    throw new ApiError(0, `The server could not be reached (${error.message})`);
  }
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const detail = body && typeof body.detail === 'string' ? body.detail : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, detail);
  }
  return body;
}
