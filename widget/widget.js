/*
 * selfservice chat widget: the loader. One tag on any portal page:
 *
 *   <script src="https://support.example/widget.js" data-org="acme" data-lang="ru" async></script>
 *
 * It reads its configuration from its own data-* attributes, derives the backend from its
 * own src, shows a launcher button, and on the first opening loads the chat in an iframe
 * served by that backend, so the host page's CSS and scripts cannot reach into it.
 * Loading it twice does nothing the second time.
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
  const OPEN_LABELS = { en: "Open support chat", ru: "Открыть чат поддержки" };
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
    mounted: false, // the frame is in the page (after the first opening)
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
    styleFixed(frame, {
      "color-scheme": "normal", "max-width": "100%", "max-height": "100%",
      "min-width": "0", "min-height": "0", ...layout(),
    });
  }

  // Until the chat is first opened, the page holds only this button: the frame and its
  // modules are loaded on the first click, so a portal page that never opens the chat pays
  // for the loader alone. The button lives in a shadow root behind inline !important
  // rules, out of reach of the page's CSS, and looks like the frame's own launcher.
  const launcherHost = document.createElement("div");
  launcherHost.setAttribute("data-selfservice", "launcher");
  const launcherRoot = launcherHost.attachShadow({ mode: "open" });
  launcherRoot.innerHTML = `<style>
    :host { all: initial; }
    button { position: absolute; right: 16px; bottom: 16px; width: 56px; height: 56px;
      margin: 0; padding: 0; border: 0; border-radius: 50%; background: #1a56b8; color: #fff;
      box-shadow: 0 4px 14px rgba(15, 35, 70, 0.35); cursor: pointer; }
    button:hover { background: #123f8a; }
    button:focus-visible { outline: 3px solid #0b2f6b; outline-offset: 4px;
      box-shadow: 0 0 0 4px #fff, 0 4px 14px rgba(15, 35, 70, 0.35); }
    svg { width: 28px; height: 28px; fill: currentColor; vertical-align: middle; }
  </style><button type="button" aria-haspopup="dialog" aria-expanded="false"><svg
    viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2
    2v11a2 2 0 0 1-2 2h-7l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg></button>`;
  const launcher = launcherRoot.querySelector("button");
  launcher.addEventListener("click", () => setOpen(true));

  function styleFixed(element, box) {
    const rules = {
      all: "initial", position: "fixed", display: "block", visibility: "visible",
      opacity: "1", "z-index": "2147483000", border: "0", margin: "0", padding: "0",
      background: "transparent", left: "auto", top: "auto", transform: "none",
      filter: "none", "pointer-events": "auto", ...box,
    };
    element.style.cssText = "";
    for (const [name, value] of Object.entries(rules)) {
      element.style.setProperty(name, value, "important");
    }
  }

  function labelLauncher() {
    launcher.setAttribute("aria-label", OPEN_LABELS[state.lang]);
  }

  function mountFrame() {
    state.mounted = true;
    applyStyle();
    if (launcherHost.isConnected) {
      launcherHost.replaceWith(frame);
    } else {
      document.body.appendChild(frame); // the page re-rendered its body meanwhile
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
    if (!state.mounted) {
      if (!open) {
        return;
      }
      mountFrame();
    }
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
        if (state.open) {
          frame.focus(); // the chat was opened while its frame loaded
        }
        post("init", {
          lang: state.lang,
          token: state.token,
          open: state.open,
          compact: compact(),
        });
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
      labelLauncher();
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
    labelLauncher();
    styleFixed(launcherHost, { width: "88px", height: "88px", right: "4px", bottom: "4px" });
    document.body.appendChild(launcherHost);
    for (const call of queued) {
      api.push(call);
    }
    emit("ready", {});
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  }
})();
