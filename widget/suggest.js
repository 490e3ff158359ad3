// The as-you-type list under the chat's composer: the articles and forms the chat would
// offer for the text typed so far (GET /suggest), reachable with the arrow keys. These are
// methods of ChatView (chat.js), on its own elements (input, suggestBox, suggestions).

import { ApiError } from "./api.js";
import { clear, fill, focus, h } from "./dom.js";

const SUGGEST_DELAY_MS = 250;
const SUGGEST_MIN_CHARS = 3;

export const suggestionMethods = {
  scheduleSuggest() {
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(() => this.suggest(), SUGGEST_DELAY_MS);
  },

  async suggest() {
    const query = this.input.value.trim();
    this.suggestAbort?.abort();
    if (query.length < SUGGEST_MIN_CHARS || this.closed) {
      this.hideSuggestions();
      return;
    }
    this.suggestAbort = new AbortController();
    let found;
    try {
      found = await this.app.api.get("suggest", { q: query, limit: 5 }, this.suggestAbort.signal);
    } catch (error) {
      if (error.name === "AbortError" || error instanceof ApiError) {
        return; // suggestions are a convenience: no error bubble for them
      }
      throw error;
    }
    if (this.input.value.trim() !== query) {
      return;
    }
    this.showSuggestions(found.suggestions || [], query);
  },

  showSuggestions(items, query) {
    if (!items.length) {
      this.hideSuggestions();
      return;
    }
    this.suggestBox.dataset.query = query; // what the list answers (the tests wait for it)
    fill(this.suggestions, ...items.map((item) => h("li", {},
      h("button", { type: "button", class: "suggestion", "data-type": item.type,
        "data-id": item.id, onclick: () => this.pickSuggestion(item) },
      item.type === "form" ? h("span", { class: "badge" }, this.t("suggestion_form")) : null,
      item.title))));
    this.suggestBox.hidden = false;
    this.suggestStatus.textContent = this.t("suggestions_count", { count: items.length });
  },

  hideSuggestions() {
    clearTimeout(this.suggestTimer);
    this.suggestAbort?.abort();
    this.suggestBox.hidden = true;
    clear(this.suggestions);
    this.suggestStatus.textContent = "";
  },

  pickSuggestion(item) {
    this.input.value = "";
    this.hideSuggestions();
    focus(this.input);
    if (item.type === "form") {
      this.act("choose_form", { form: item.id }, item.title);
    } else {
      this.act("open_article", { article: item.id }, item.title);
    }
  },

  onInputKey(event) {
    if (event.key === "ArrowDown" && !this.suggestBox.hidden) {
      event.preventDefault();
      focus(this.suggestions.querySelector("button"));
    } else if (event.key === "Escape" && !this.suggestBox.hidden) {
      event.preventDefault();
      event.stopPropagation();
      this.hideSuggestions();
    }
  },

  onSuggestionKey(event) {
    const buttons = [...this.suggestions.querySelectorAll("button")];
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = index + (event.key === "ArrowDown" ? 1 : -1);
      focus(next < 0 ? this.input : buttons[Math.min(next, buttons.length - 1)]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.hideSuggestions();
      focus(this.input);
    }
  },
};
