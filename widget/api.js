// The backend's HTTP API, seen from the chat frame (same origin as the API: no CORS).
// Every error the API returns is JSON {"error", "field", "message"} (422 form refusals
// add "errors": [{field, error, message}]); a failed connection becomes error "network".
// A POST carries an Idempotency-Key, one per user action, and is retried with the same
// key when the connection fails: the server answers a retry with its first answer, so a
// ticket whose answer was lost on the way is not filed twice.

/** Seconds-scale backoff between the attempts of one POST (then the error is shown). */
export const RETRY_DELAYS_MS = [500, 1500, 4000];

/** A random key (UUID v4); crypto.randomUUID needs a secure context, getRandomValues not. */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) {
    return globalThis.crypto.randomUUID();
  }
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ApiError extends Error {
  constructor(status, body, fallback) {
    super((body && body.message) || fallback || "request failed");
    this.status = status;
    this.code = (body && body.error) || (status === 0 ? "network" : "http_error");
    this.field = (body && body.field) || null;
    this.errors = (body && Array.isArray(body.errors) && body.errors) || [];
  }
}

export class Api {
  /** ``base``: the API root, e.g. https://support.example/api/v1/ */
  constructor({ base, org }) {
    this.base = base;
    this.org = org || null;
    this.token = null;
    this.lang = "en";
    this.networkMessage = "network error";
    this.onTokenRefused = null;
    this.retryDelays = RETRY_DELAYS_MS;
  }

  url(path, params = {}) {
    const url = new URL(path.replace(/^\//, ""), this.base);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") {
        url.searchParams.set(name, String(value));
      }
    }
    if (!url.searchParams.has("lang")) {
      url.searchParams.set("lang", this.lang);
    }
    return url;
  }

  async request(method, path, { params, body, file, signal, key } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": this.lang };
    if (key) {
      headers["Idempotency-Key"] = key;
    }
    if (this.org) {
      headers["X-SelfService-Org"] = this.org;
    }
    if (this.token) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    const init = { method, headers, signal, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (file !== undefined) {
      headers["Content-Type"] = file.type || "application/octet-stream";
      init.body = file;
    }
    let response;
    try {
      response = await fetch(this.url(path, params), init);
    } catch (error) {
      if (error && error.name === "AbortError") {
        throw error;
      }
      throw new ApiError(0, null, this.networkMessage);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      if (response.ok && response.status !== 204) {
        // The answer was cut off on the way: as lost as a failed connection.
        throw new ApiError(0, null, this.networkMessage);
      }
      data = null;
    }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      if (response.status === 401 && this.token && error.code.startsWith("token_")) {
        this.onTokenRefused?.(error);
      }
      throw error;
    }
    return data;
  }

  get(path, params, signal) {
    return this.request("GET", path, { params, signal });
  }

  /** One user action: one key for every attempt. Retried when the connection failed or
   * the first attempt is still running on the server (409 idempotency_key_in_use). */
  async post(path, body) {
    return this.send(path, { body });
  }

  /** Upload one file (the body is the file itself); answers its attachment id. */
  async upload(path, file) {
    return this.send(path, { file, params: { name: file.name } });
  }

  async send(path, options) {
    const key = newIdempotencyKey();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.request("POST", path, { ...options, key });
      } catch (error) {
        const retry = error instanceof ApiError
          && (error.status === 0 || error.code === "idempotency_key_in_use");
        if (!retry || attempt >= this.retryDelays.length) {
          throw error;
        }
        await sleep(this.retryDelays[attempt]);
      }
    }
  }

  /** Fetch a file with the contact's token and hand it to the browser as a download. */
  async download(url, name) {
    const headers = {};
    if (this.token) {
      headers.Authorization = `Bearer ${this.token}`;
    }
    if (this.org) {
      headers["X-SelfService-Org"] = this.org;
    }
    const target = new URL(url, this.base);
    target.searchParams.set("lang", this.lang);
    let response;
    try {
      response = await fetch(target, { headers, credentials: "omit", cache: "no-store" });
    } catch {
      throw new ApiError(0, null, this.networkMessage);
    }
    if (!response.ok) {
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      throw new ApiError(response.status, data);
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }
}
