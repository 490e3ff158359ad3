/*
 * selfservice chat widget: the loader. One tag on any portal page:
 *
 *   <script src="https://support.example/widget.js" data-org="acme" data-lang="ru" async></script>
 *
 * It reads its configuration from its own data-* attributes, derives the backend from its
 * own src, and opens the chat in an iframe served by that backend, so the host page's CSS
 * and scripts cannot reach into it. Loading it twice does nothing the second time.
 *
 * Page API (window.SelfService): identify(token | null), open(), close(), toggle(),
 * setLanguage("en" | "ru"). Calls may be queued before the script has loaded:
 *
 *   (window.SelfService = window.SelfService || []).push(["identify", token]);
 *
 * Events on window: selfservice:ready, selfservice:open, selfservice:close,
 * selfservice:ticket (detail.number), selfservice:token-expired.
 *
 * Messages to the frame name the backend's origin as target; messages from it are accepted
 * only from that origin and that frame's window. No '*', no window.onmessage.
 */
(() => {
  "use strict";

  const existing = window.SelfService;
  if (existing && existing.loaded === true) {
    return; // loaded twice: the first copy already runs
  }
  const script =
    document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || !script.src) {
    return;
  }
  const hostOrigin = window.location.origin;
  if (!/^https?:\/\//.test(hostOrigin)) {
    console.warn("selfservice widget: the page needs an http(s) origin to embed the chat");
    return;
  }

  const LANGS = ["en", "ru"];
  const TITLES = { en: "Support chat", ru: "Чат поддержки" };
  const FROM_FRAME = "selfservice-frame";
  const TO_FRAME = "selfservice-host";
  const COMPACT_WIDTH = 520; // narrower viewports get the chat full-screen
  const COMPACT_HEIGHT = 560;

  const source = new URL(script.src, window.location.href);
  const backendOrigin = source.origin;
  const base = new URL(".", source); // the backend may live under a path prefix
  const org = (script.dataset.org || "").trim();

  function pickLanguage(wanted) {
    const value = String(wanted || "").trim().toLowerCase().slice(0, 2);
    if (LANGS.includes(value)) {
      return value;
    }
    for (const tag of navigator.languages || [navigator.language || ""]) {
      const primary = String(tag).toLowerCase().slice(0, 2);
      if (LANGS.includes(primary)) {
        return primary;
      }
    }
    return "en";
  }

  const state = {
    lang: pickLanguage(script.dataset.lang),
    token: null,
    open: false,
    ready: false,
  };

  const frame = document.createElement("iframe");
  const query = new URLSearchParams({ lang: state.lang, host: hostOrigin });
  if (org) {
    query.set("org", org);
  }
  frame.src = new URL(`widget/frame.html?${query}`, base).href;
  frame.title = TITLES[state.lang];
  frame.setAttribute("data-selfservice", "frame");
  frame.setAttribute("allowtransparency", "true");
  // The copy buttons of commands in the steps: a cross-origin frame may write to the
  // clipboard only when the embedding page delegates it.
  frame.allow = "clipboard-write";
  frame.referrerPolicy = "strict-origin-when-cross-origin";

  function compact() {
    return window.innerWidth < COMPACT_WIDTH || window.innerHeight < COMPACT_HEIGHT;
  }

  function layout() {
    if (!state.open) {
      return { width: "88px", height: "88px", right: "4px", bottom: "4px" };
    }
    if (compact()) {
      return { width: "100%", height: "100%", right: "0", bottom: "0" };
    }
    return {
      width: "424px",
      height: "min(720px, calc(100% - 8px))",
      right: "4px",
      bottom: "4px",
    };
  }

  // Inline !important declarations beat any host stylesheet, even `* { all: unset !important }`.
  function applyStyle() {
    const box = layout();
    const rules = {
      all: "initial",
      position: "fixed",
      display: "block",
      visibility: "visible",
      opacity: "1",
      "z-index": "2147483000",
      border: "0",
      margin: "0",
      padding: "0",
      background: "transparent",
      "color-scheme": "normal",
      "max-width": "100%",
      "max-height": "100%",
      "min-width": "0",
      "min-height": "0",
      left: "auto",
      top: "auto",
      transform: "none",
      filter: "none",
      "pointer-events": "auto",
      ...box,
    };
    frame.style.cssText = "";
    for (const [name, value] of Object.entries(rules)) {
      frame.style.setProperty(name, value, "important");
    }
  }

  function post(type, payload) {
    if (state.ready && frame.contentWindow) {
      frame.contentWindow.postMessage({ source: TO_FRAME, type, ...payload }, backendOrigin);
    }
  }

  function sendLayout() {
    post("layout", { open: state.open, compact: compact() });
  }

  function emit(name, detail) {
    window.dispatchEvent(new CustomEvent(`selfservice:${name}`, { detail }));
  }

  function setOpen(open) {
    const changed = state.open !== open;
    state.open = open;
    applyStyle();
    sendLayout();
    if (open) {
      frame.focus();
    }
    if (changed) {
      emit(open ? "open" : "close", {});
    }
  }

  function onMessage(event) {
    if (event.origin !== backendOrigin || event.source !== frame.contentWindow) {
      return; // not our frame: ignored
    }
    const data = event.data;
    if (!data || data.source !== FROM_FRAME || typeof data.type !== "string") {
      return;
    }
    switch (data.type) {
      case "ready":
        state.ready = true;
        post("init", {
          lang: state.lang,
          token: state.token,
          open: state.open,
          compact: compact(),
        });
        emit("ready", {});
        break;
      case "request-open":
        setOpen(true);
        break;
      case "request-close":
        setOpen(false);
        break;
      case "ticket":
        emit("ticket", { number: String(data.number || "") });
        break;
      case "token-expired":
        emit("token-expired", {});
        break;
      default:
        break;
    }
  }

  const api = {
    loaded: true,
    version: "1",
    identify(token) {
      state.token = token ? String(token) : null;
      post("identify", { token: state.token });
    },
    open() {
      setOpen(true);
    },
    close() {
      setOpen(false);
    },
    toggle() {
      setOpen(!state.open);
    },
    setLanguage(lang) {
      const value = String(lang || "").toLowerCase();
      if (!LANGS.includes(value)) {
        throw new Error(`selfservice widget: unsupported language ${lang}`);
      }
      state.lang = value;
      frame.title = TITLES[value];
      post("language", { lang: value });
    },
    push(call) {
      const [name, ...args] = Array.isArray(call) ? call : [];
      if (!["identify", "open", "close", "toggle", "setLanguage"].includes(name)) {
        console.warn(`selfservice widget: unknown call ${name}`);
        return;
      }
      try {
        api[name](...args);
      } catch (error) {
        console.warn(String(error)); // one bad queued call must not stop the others
      }
    },
  };

  const queued = Array.isArray(existing) ? existing.slice() : [];
  window.SelfService = api;
  window.addEventListener("message", onMessage);
  window.addEventListener("resize", () => {
    if (state.open) {
      applyStyle();
      sendLayout();
    }
  });

  function mount() {
    applyStyle();
    document.body.appendChild(frame);
    for (const call of queued) {
      api.push(call);
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  }
})();
