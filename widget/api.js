// The backend's HTTP API, seen from the chat frame (same origin as the API: no CORS).
// Every error the API returns is JSON {"error", "field", "message"} (422 form refusals
// add "errors": [{field, error, message}]); a failed connection becomes error "network".

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

  async request(method, path, { params, body, signal } = {}) {
    const headers = { Accept: "application/json", "Accept-Language": this.lang };
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

  post(path, body) {
    return this.request("POST", path, { body });
  }
}
