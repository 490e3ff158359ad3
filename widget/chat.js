// The conversation: the log of messages (role=log, aria-live), the composer with
// as-you-type article suggestions, and one renderer per message type of
// selfservice.conversation.engine (text, articles, article, step, actions, forms, form,
// sign_in_required, confirmation, outcome).

import { ApiError } from "./api.js";
import { clear, fill, focus, h, sanitize, uid } from "./dom.js";
import { knownProblemMethods } from "./known.js";
import { ConversationMemory } from "./memory.js";
import { richText } from "./richtext.js";
import { suggestionMethods } from "./suggest.js";

const ACTION_LABELS = { solved: "solved", next_step: "next_step", need_help: "need_help",
  yes: "answer_yes", no: "answer_no" };

export class ChatView {
  /**
   * ``app`` provides api, t, lang, openForm(message), showTickets(), ticketFiled(answer).
   */
  constructor(app) {
    this.app = app;
    this.id = null;
    this.closed = false;
    this.spoke = false; // the customer has typed or pressed something
    this.liveActions = [];
    this.memory = new ConversationMemory(app.api.org);
    this.mayResume = true; // the first start of this page goes on with a remembered one
    this.build();
  }

  get t() {
    return this.app.t;
  }

  build() {
    const { t } = this;
    const inputId = uid("composer");
    const statusId = uid("suggest-status");
    this.log = h("div", { class: "log", role: "log", "aria-live": "polite",
      "aria-relevant": "additions", "aria-label": t("conversation_log"), tabindex: "0" });
    this.suggestStatus = h("p", { id: statusId, class: "visually-hidden", role: "status" });
    this.suggestions = h("ul", { "aria-labelledby": `${statusId}-caption`,
      onkeydown: (e) => this.onSuggestionKey(e) });
    this.suggestCaption = h("p", { id: `${statusId}-caption`, class: "caption" },
      t("suggestions_label"));
    this.suggestBox = h("div", { class: "suggestions", hidden: true }, this.suggestCaption,
      this.suggestions);
    this.input = h("input", { id: inputId, type: "text", autocomplete: "off",
      placeholder: t("composer_placeholder"), "aria-describedby": statusId, maxlength: "2000",
      oninput: () => this.scheduleSuggest(), onkeydown: (e) => this.onInputKey(e) });
    this.sendButton = h("button", { type: "submit", class: "primary" }, t("send"));
    this.composer = h("form", { class: "composer", onsubmit: (e) => this.onSubmit(e) },
      h("label", { for: inputId, class: "visually-hidden" }, t("composer_label")),
      this.input, this.sendButton);
    this.restart = h("div", { class: "restart", hidden: true },
      h("button", { type: "button", onclick: () => this.startNew() }, t("new_conversation")));
    this.element = h("section", { class: "chat-view" }, this.log,
      h("div", { class: "composer-area" }, this.suggestStatus, this.suggestBox, this.restart,
        this.composer));
  }

  /** Start the conversation (once): the server greets. */
  async ensureStarted() {
    if (this.id || this.starting) {
      return this.starting;
    }
    this.starting = (async () => {
      try {
        if (this.mayResume && await this.resume()) {
          return;
        }
        const answer = await this.app.api.post("conversations", { lang: this.app.lang });
        this.id = answer.id;
        this.memory.begin(answer.id, answer.lang, answer.messages);
        this.render(answer.messages);
      } catch (error) {
        this.showError(error, () => this.ensureStarted());
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  /**
   * Go on with the conversation remembered from another page, if the server still answers
   * for it: show again what was shown, and the open step as the server has it.
   */
  async resume() {
    const saved = this.memory.read();
    const silent = saved && !saved.log.some((entry) => typeof entry.user === "string");
    if (!saved || (silent && saved.lang !== this.app.lang)) {
      this.mayResume = false;
      return false;
    }
    let current;
    try {
      current = await this.app.api.get(`conversations/${encodeURIComponent(saved.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0) {
        this.mayResume = false; // gone, closed to this visitor: a new one begins
        this.memory.forget();
        return false;
      }
      throw error; // offline: the retry button tries again
    }
    this.mayResume = false;
    this.id = saved.id;
    this.replay(saved.log, current);
    if (this.app.isOpen && this.focusLost()) {
      focus(this.resting()); // the composer was disabled under it: a closed conversation
    }
    return true;
  }

  replay(log, current) {
    this.replaying = true;
    try {
      for (const entry of log) {
        if (typeof entry.user === "string") {
          this.spoke = true;
          this.retireActions();
          this.addEntry("user", h("p", {}, entry.user));
        } else if (Array.isArray(entry.bot)) {
          this.render(entry.bot);
        }
      }
      const step = (current.messages || []).find((m) => m.type === "step");
      const shown = [...this.log.querySelectorAll(".step")].pop();
      const stale = step && !(shown && shown.dataset.article === step.article
        && shown.dataset.step === String(step.index));
      if ((current.phase === "closed" && !this.closed) || stale) {
        this.retireActions();
        this.render(current.messages);
      }
    } finally {
      this.replaying = false;
    }
    const last = [...this.log.querySelectorAll(".step")].pop();
    const open = last && !last.querySelector(".actions button:disabled");
    if (open) {
      this.reveal(last.closest(".entry"));
    } else {
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  /** Forget the conversation; the next ensureStarted() begins a new one. */
  reset() {
    this.memory.forget();
    this.mayResume = false;
    this.id = null;
    this.spoke = false;
    this.liveActions = [];
    clear(this.log);
    this.setClosed(false);
  }

  async startNew() {
    this.reset();
    await this.ensureStarted();
    focus(this.input);
  }

  /** The language changed: relabel; a conversation nobody has spoken in yet restarts. */
  async languageChanged() {
    const { t } = this;
    this.log.setAttribute("aria-label", t("conversation_log"));
    this.suggestCaption.textContent = t("suggestions_label");
    this.input.placeholder = t("composer_placeholder");
    this.composer.querySelector("label").textContent = t("composer_label");
    this.sendButton.textContent = t("send");
    this.restart.querySelector("button").textContent = t("new_conversation");
    this.hideSuggestions();
    if (!this.spoke && !this.starting) {
      clear(this.log);
      this.id = null;
      if (this.app.isOpen) {
        await this.ensureStarted();
      }
    }
  }

  setClosed(closed) {
    this.closed = closed;
    this.input.disabled = closed;
    this.sendButton.disabled = closed;
    this.restart.hidden = !closed;
    if (closed) {
      this.hideSuggestions();
    }
  }

  // --- sending -----------------------------------------------------------------------------

  onSubmit(event) {
    event.preventDefault();
    const text = this.input.value.trim();
    if (!text || this.closed) {
      return;
    }
    this.input.value = "";
    this.hideSuggestions();
    this.send({ text }, text);
  }

  act(action, extra = {}, echo = null) {
    return this.send({ action, ...extra }, echo ?? this.t(ACTION_LABELS[action] || action));
  }

  async send(body, echo) {
    await this.ensureStarted();
    if (!this.id) {
      return;
    }
    this.spoke = true;
    this.retireActions();
    const mine = this.addEntry("user", h("p", {}, echo));
    const pending = this.addEntry("bot pending", h("p", { class: "muted" }, this.t("loading")));
    this.reveal(mine);
    try {
      const answer = await this.app.api.post(`conversations/${this.id}/messages`, body);
      pending.remove();
      this.memory.add(this.id, { user: echo });
      this.memory.add(this.id, { bot: answer.messages });
      this.render(answer.messages);
    } catch (error) {
      pending.remove();
      this.showError(error, () => this.send(body, echo));
    }
    this.reveal(mine);
  }

  showError(error, retry) {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    const gone = ["conversation_closed", "conversation_not_found"].includes(error.code);
    const entry = this.addEntry("bot error", h("p", { role: "alert" }, error.message));
    if (gone) {
      this.setClosed(true);
    } else if (error.status === 0 && retry) {
      entry.append(h("div", { class: "actions" }, h("button", { type: "button",
        onclick: () => { entry.remove(); retry(); } }, this.t("retry"))));
    }
  }

  retireActions() {
    for (const group of this.liveActions) {
      for (const button of group.querySelectorAll("button")) {
        button.disabled = true;
      }
    }
    this.liveActions = [];
  }

  // --- rendering ---------------------------------------------------------------------------

  addEntry(kind, ...children) {
    const who = kind.startsWith("user") ? this.t("you") : this.t("bot");
    const entry = h("div", { class: `entry ${kind}` },
      h("span", { class: "visually-hidden" }, `${who}: `), ...children);
    this.log.append(entry);
    return entry;
  }

  /** Scroll the log so that ``entry`` and what follows it are in view. */
  reveal(entry) {
    const offset = entry.getBoundingClientRect().top - this.log.getBoundingClientRect().top;
    this.log.scrollTop += offset - 8;
  }

  actions(names, handlers = {}) {
    const group = h("div", { class: "actions" }, ...names.map((name) => h("button", {
      type: "button",
      class: name === "solved" ? "primary" : null,
      "data-action": name,
      onclick: handlers[name] || (() => this.act(name)),
    }, this.t(ACTION_LABELS[name] || name))));
    this.liveActions.push(group);
    return group;
  }

  /** Render the server's messages; a new step takes the keyboard focus (and the reader's). */
  render(messages) {
    this.focusTarget = null;
    for (const message of this.holdAfterKnownProblem(messages || [])) {
      const renderer = this[`render_${message.type}`];
      if (renderer) {
        renderer.call(this, message);
      }
    }
    const target = this.focusTarget || (this.focusLost() ? this.resting() : null);
    this.focusTarget = null;
    if (target && !this.replaying && this.app.isOpen && !this.element.hidden) {
      focus(target);
    }
  }

  /** The button that had the focus was retired (disabled): nothing has it now. */
  focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || Boolean(active.disabled);
  }

  /** Where the focus rests between turns: the composer, or "Start a new conversation". */
  resting() {
    return this.closed ? this.restart.querySelector("button") : this.input;
  }

  render_text(message) {
    this.addEntry("bot", h("p", {}, message.text));
  }

  render_articles(message) {
    const list = h("ul", { class: "cards" }, ...message.items.map((item) => h("li", {},
      h("article", { class: "card", "data-id": item.id },
        h("h3", {}, item.title),
        item.snippet ? h("p", { class: "snippet" }, sanitize(item.snippet)) : null,
        h("div", { class: "actions" }, h("button", { type: "button", "data-article": item.id,
          onclick: () => this.act("open_article", { article: item.id }, item.title) },
        this.t("show_steps")))))));
    const entry = this.addEntry("bot wide", list);
    entry.append(this.actions(["need_help"]));
  }

  render_article(message) {
    const body = h("div", { class: "article-body" }, h("p", { class: "muted" }, this.t("loading")));
    this.addEntry("bot wide", h("article", { class: "card" },
      h("h3", {}, message.title),
      message.summary ? h("p", { class: "summary" }, message.summary) : null, body));
    this.loadArticle(message.id, body);
  }

  render_step(message) {
    const { t } = this;
    const more = h("div", { class: "article-body", hidden: true });
    const toggle = h("button", { type: "button", class: "link", "aria-expanded": "false",
      onclick: () => this.toggleArticle(message.article, more, toggle) }, t("whole_article"));
    const countId = uid("step-count");
    const titleId = uid("step-title");
    const text = message.html ? richText(message.html, t) : h("p", {}, message.text);
    const check = message.check_html ? richText(message.check_html, t, { inline: true })
      : message.check;
    const card = h("article", { class: "card step", "data-step": message.index,
      "data-article": message.article, tabindex: "-1",
      "aria-labelledby": `${countId} ${titleId}` },
    h("p", { class: "step-count", id: countId },
      t("step_of", { index: message.index, total: message.total })),
    h("h3", { id: titleId }, message.title),
    h("div", { class: "step-text" }, text),
    // A branching step asks its check question and the answer decides where the script goes.
    message.branch && check ? h("p", { class: "question step-check" }, check) : null,
    !message.branch && check
      ? h("div", { class: "step-check" }, h("strong", {}, t("check")), " ", check) : null,
    message.branch ? null : h("p", { class: "question" }, t("did_it_help")),
    this.actions(message.actions),
    toggle, more);
    this.addEntry("bot wide", card);
    this.focusTarget = card;
  }

  render_actions(message) {
    this.addEntry("bot", this.actions(message.actions));
  }

  render_forms(message) {
    const list = h("ul", { class: "cards forms" }, ...message.items.map((item) => h("li", {},
      h("button", { type: "button", class: "card form-choice", "data-form": item.id,
        onclick: () => this.act("choose_form", { form: item.id }, item.title) },
      h("span", { class: "card-title" }, item.title),
      item.description ? h("span", { class: "card-text" }, item.description) : null))));
    this.addEntry("bot wide", h("p", {}, message.text || this.t("forms_choose")), list);
  }

  render_form(message) {
    const open = h("button", { type: "button", class: "primary", "data-open-form": message.form,
      onclick: () => this.app.openForm(message, this.id) }, this.t("open_form"));
    this.addEntry("bot", h("p", {}, `${this.t("fill_form")}: ${message.title}`),
      h("div", { class: "actions" }, open));
    if (!this.replaying) {
      this.app.openForm(message, this.id); // shown again on another page: only the button
    }
  }

  render_sign_in_required(message) {
    this.addEntry("bot notice", h("p", { role: "note" }, message.text));
  }

  render_confirmation(message) {
    const entry = this.addEntry("bot success",
      h("p", { class: "ticket-number" }, h("span", {}, `${this.t("ticket_number")}: `),
        h("strong", {}, message.ticket)),
      h("p", {}, message.text),
      this.app.signedIn ? h("div", { class: "actions" }, h("button", { type: "button",
        onclick: () => this.app.showTickets(message.ticket) }, this.t("follow_tickets"))) : null);
    entry.tabIndex = -1;
  }

  render_outcome() {
    this.retireActions();
    for (const button of this.log.querySelectorAll("[data-article], [data-form], [data-open-form]")) {
      button.disabled = true;
    }
    this.addEntry("divider", h("p", {}, this.t("conversation_closed")));
    this.setClosed(true);
  }

  /** The ticket was filed from the form: the server's closing messages and the notice. */
  ticketFiled(answer) {
    const last = this.log.lastElementChild;
    this.memory.add(this.id, { bot: [...(answer.messages || []), { type: "outcome" }] });
    this.render(answer.messages);
    const phone = answer.phone_confirmation;
    if (phone && phone.required && phone.message) {
      this.addEntry("bot notice", h("p", { role: "alert" }, phone.message));
    }
    this.render_outcome();
    this.reveal(last ? last.nextElementSibling : this.log.firstElementChild);
  }

  async loadArticle(id, container) {
    try {
      const article = await this.app.api.get(`articles/${encodeURIComponent(id)}`);
      fill(container, richText(article.html, this.t),
        h("p", {}, h("a", { href: new URL(article.url, this.app.siteBase).href,
          target: "_blank", rel: "noopener noreferrer" }, `${this.t("open_on_site")} ↗`)));
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      fill(container, h("p", { class: "field-error" }, error.message));
    }
  }

  toggleArticle(id, container, toggle) {
    const opening = container.hidden;
    container.hidden = !opening;
    toggle.setAttribute("aria-expanded", String(opening));
    toggle.textContent = this.t(opening ? "hide_article" : "whole_article");
    if (opening && !container.dataset.loaded) {
      container.dataset.loaded = "1";
      fill(container, h("p", { class: "muted" }, this.t("loading")));
      this.loadArticle(id, container);
    }
  }
}

// The as-you-type list (suggest.js) and known problems (known.js) use the view's elements.
Object.assign(ChatView.prototype, suggestionMethods, knownProblemMethods);
