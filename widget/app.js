// The chat frame: the launcher, the panel (role=dialog) with the chat, the request form
// and "My tickets", and the conversation with the host page through postMessage.
//
// The host page's loader (widget.js) tells the frame its layout, the contact's portal
// token and the language. Messages are accepted only from the parent window and only
// from the origin the loader named in ?host= (checked against location.ancestorOrigins
// where the browser has it); replies name that origin as their target.

import { Api } from "./api.js";
import { ChatView } from "./chat.js";
import { focus, h } from "./dom.js";
import { RequestFormView } from "./form.js";
import { pickLanguage, translator } from "./i18n.js";
import { KnownProblemBanner } from "./known.js";
import { TicketsView } from "./tickets.js";
import { filePicker } from "./attach.js";

const FROM_HOST = "selfservice-host";
const TO_HOST = "selfservice-frame";

/** The parent page, if the frame is embedded by a trustworthy loader. */
function connectHost(params, onMessage) {
  if (window.parent === window) {
    return null; // opened on its own: a full-page chat
  }
  let origin = null;
  try {
    const named = new URL(params.get("host") || "").origin;
    origin = named === params.get("host") ? named : null;
  } catch {
    origin = null;
  }
  const ancestors = window.location.ancestorOrigins;
  if (origin && ancestors && ancestors.length && ancestors[0] !== origin) {
    origin = null; // ?host= does not name the page that actually embeds us
  }
  if (!origin) {
    return { trusted: false, post() {} };
  }
  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== window.parent) {
      return;
    }
    const data = event.data;
    if (data && data.source === FROM_HOST && typeof data.type === "string") {
      onMessage(data);
    }
  });
  return {
    trusted: true,
    post(type, payload = {}) {
      window.parent.postMessage({ source: TO_HOST, type, ...payload }, origin);
    },
  };
}

class App {
  constructor() {
    const params = new URLSearchParams(window.location.search);
    this.lang = pickLanguage(params.get("lang"));
    this.t = translator(this.lang);
    this.api = new Api({ base: new URL("../api/v1/", window.location.href).href,
      org: params.get("org") });
    this.api.lang = this.lang;
    this.api.networkMessage = this.t("network_error");
    this.api.onTokenRefused = () => this.tokenRefused();
    this.siteBase = new URL("../", window.location.href).href;
    this.signedIn = false;
    this.identity = null;
    this.isOpen = false;
    this.view = "chat";
    this.host = connectHost(params, (message) => this.onHostMessage(message));
    // The authors' preview (/author/walk/<id>) frames the chat without the loader, open
    // on one article: shown as if opened on its own.
    const article = params.get("article");
    this.standalone = this.host === null || (Boolean(article) && !this.host.trusted);
    this.build();
    if (this.standalone) {
      this.setLayout({ open: true, compact: true });
      if (article) {
        this.chat.act("open_article", { article }, params.get("title") || article);
      }
    } else if (this.host.trusted) {
      this.host.post("ready");
    }
  }

  build() {
    const t = this.t;
    document.documentElement.lang = this.lang;
    this.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false",
      "aria-controls": "ss-panel", "aria-label": t("launcher_open"),
      onclick: () => this.requestOpen(true) }, launcherIcon());
    this.chat = new ChatView(this);
    this.knownProblems = new KnownProblemBanner(this);
    this.tickets = new TicketsView(this);
    this.formSlot = h("div", { class: "form-slot", hidden: true });
    this.identityLine = h("p", { class: "identity" });
    this.tabChat = h("button", { type: "button", class: "tab", "aria-pressed": "true",
      onclick: () => this.show("chat") });
    this.tabTickets = h("button", { type: "button", class: "tab", "aria-pressed": "false",
      hidden: true, onclick: () => this.showTickets() });
    this.closeButton = h("button", { type: "button", class: "close",
      onclick: () => this.requestOpen(false) }, h("span", { "aria-hidden": "true" }, "×"));
    this.titleElement = h("h1", { id: "ss-title" });
    this.subtitle = h("p", { class: "subtitle" });
    this.panel = h("section", { id: "ss-panel", class: "panel", role: "dialog",
      "aria-modal": "true", "aria-labelledby": "ss-title", hidden: true },
    h("header", {},
      h("div", { class: "heading" }, this.titleElement, this.subtitle, this.identityLine),
      this.standalone ? null : this.closeButton),
    h("nav", { class: "tabs" }, this.tabChat, this.tabTickets), this.knownProblems.element,
    h("div", { class: "views" }, this.chat.element, this.formSlot, this.tickets.element));
    this.tickets.element.hidden = true;
    this.root = h("div", { class: "shell" }, this.standalone ? null : this.launcher, this.panel);
    document.body.replaceChildren(this.root);
    document.addEventListener("keydown", (event) => this.onKey(event));
    this.label();
  }

  /** (Re)write the chrome's texts in the current language. */
  label() {
    const t = this.t;
    document.title = t("title");
    this.titleElement.textContent = t("title");
    // The organisation's real hours and response target once we know who is asking;
    // before that, no promise at all.
    const support = this.identity && this.identity.support;
    this.subtitle.textContent = support ? support.text[this.lang] || support.text.en
      : t("subtitle");
    this.tabChat.textContent = t("tab_chat");
    this.tabTickets.textContent = t("tab_tickets");
    this.closeButton.setAttribute("aria-label", t("close"));
    this.closeButton.title = t("close");
    this.launcher.setAttribute("aria-label", t(this.isOpen ? "launcher_close" : "launcher_open"));
    this.identityLine.textContent = this.identity
      ? t("signed_in_as", { email: this.identity.email }) : "";
    this.identityLine.hidden = !this.identity;
  }

  // --- the host page -------------------------------------------------------------------------

  onHostMessage(message) {
    switch (message.type) {
      case "init":
        this.setLanguage(message.lang);
        this.identify(message.token);
        this.setLayout(message);
        break;
      case "layout":
        this.setLayout(message);
        break;
      case "identify":
        this.identify(message.token);
        break;
      case "language":
        this.setLanguage(message.lang);
        break;
      default:
        break;
    }
  }

  requestOpen(open) {
    if (this.standalone) {
      return;
    }
    this.host.post(open ? "request-open" : "request-close");
  }

  setLayout({ open, compact }) {
    const opening = Boolean(open) && !this.isOpen;
    const closing = !open && this.isOpen;
    this.isOpen = Boolean(open);
    this.root.dataset.open = String(this.isOpen);
    this.root.dataset.compact = String(Boolean(compact));
    this.panel.hidden = !this.isOpen;
    this.launcher.hidden = this.isOpen;
    this.launcher.setAttribute("aria-expanded", String(this.isOpen));
    this.label();
    if (opening) {
      this.chat.ensureStarted();
      focus(this.view === "chat" ? this.chat.input : this.panel.querySelector("h2, button"));
    } else if (closing) {
      focus(this.launcher);
    }
  }

  onKey(event) {
    if (event.key === "Escape" && this.isOpen && !this.standalone && !event.defaultPrevented) {
      event.preventDefault();
      this.requestOpen(false);
    } else if (event.key === "Tab" && this.isOpen && !event.defaultPrevented) {
      this.trapFocus(event);
    }
  }

  /** The open panel is a modal dialog: Tab and Shift+Tab cycle inside it. */
  trapFocus(event) {
    const stops = tabStops(this.panel);
    if (!stops.length) {
      return;
    }
    const first = stops[0];
    const last = stops[stops.length - 1];
    const active = document.activeElement;
    const inside = this.panel.contains(active);
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      focus(last);
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      focus(first);
    }
  }

  setLanguage(lang) {
    const chosen = pickLanguage(lang);
    if (chosen === this.lang) {
      return;
    }
    this.lang = chosen;
    this.t = translator(chosen);
    this.api.lang = chosen;
    this.api.networkMessage = this.t("network_error");
    document.documentElement.lang = chosen;
    this.label();
    this.chat.languageChanged();
    this.knownProblems.refresh();
    if (this.view === "tickets") {
      this.tickets.showList();
    }
  }

  async identify(token) {
    const previous = this.api.token;
    this.api.token = token || null;
    if (!token) {
      this.signedIn = false;
      this.identity = null;
      this.tabTickets.hidden = true;
      this.label();
      this.knownProblems.refresh();
      if (previous && this.chat.id) {
        this.chat.reset(); // a signed-in conversation does not continue anonymously
        if (this.isOpen) {
          this.chat.ensureStarted();
        }
      }
      return;
    }
    try {
      this.identity = await this.api.get("me");
      this.signedIn = true;
    } catch {
      this.identity = null;
      this.signedIn = false;
    }
    this.tabTickets.hidden = !this.signedIn;
    this.label();
    this.knownProblems.refresh();
  }

  tokenRefused() {
    if (this.signedIn) {
      this.chat.addEntry("bot notice", h("p", { role: "alert" }, this.t("token_refused")));
    }
    this.api.token = null;
    this.signedIn = false;
    this.identity = null;
    this.tabTickets.hidden = true;
    this.label();
    this.host?.post("token-expired");
  }

  // --- views ----------------------------------------------------------------------------------

  show(view) {
    this.view = view;
    this.chat.element.hidden = view !== "chat";
    this.formSlot.hidden = view !== "form";
    this.tickets.element.hidden = view !== "tickets";
    this.tabChat.setAttribute("aria-pressed", String(view !== "tickets"));
    this.tabTickets.setAttribute("aria-pressed", String(view === "tickets"));
    if (view === "chat") {
      focus(this.chat.input.disabled ? this.chat.restart.querySelector("button")
        : this.chat.input);
    }
  }

  async showTickets(number = null) {
    this.show("tickets");
    if (number) {
      await this.tickets.showTicket(number);
    } else {
      await this.tickets.showList();
    }
  }

  async openForm(message, conversationId) {
    if (this.form && this.form.formId === message.form && this.form.conversationId
      === conversationId) {
      this.show("form");
      this.form.focusFirst();
      return;
    }
    this.form = new RequestFormView({
      api: this.api, lang: this.lang, t: this.t, formId: message.form,
      prefill: message.values, conversationId,
      onFiled: (answer) => this.ticketFiled(answer),
      onBack: () => this.show("chat"),
      picker: filePicker(this),
    });
    this.formSlot.replaceChildren(this.form.element);
    this.show("form");
    try {
      await this.form.load();
      this.form.focusFirst();
    } catch (error) {
      this.show("chat");
      this.chat.showError(error);
    }
  }

  ticketFiled(answer) {
    this.form = null;
    this.formSlot.replaceChildren();
    this.show("chat");
    this.chat.ticketFiled(answer);
    focus(this.chat.log.querySelector(".entry.success"));
    this.host?.post("ticket", { number: answer.number });
  }
}

const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

/** The elements of ``root`` that Tab stops at, in order (positive tabindex is not used). */
function tabStops(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((element) => element.tabIndex >= 0
    && !element.disabled && element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden");
}

function launcherIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2h-7l-5 4v-4H4a2 2 0 0 1-2-2V5"
    + "a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

window.selfserviceApp = new App();
