// Known problems: the banner over the chat for a signed-in contact whose organisation is
// affected, and the conversation's "known_problem" message, told before any article
// ("We know: …"), with "Notify me" (one e-mail at the resolution) and "My problem is
// different" (then the articles found are shown and the normal flow goes on).

import { ApiError } from "./api.js";
import { fill, h } from "./dom.js";
import { formatDate } from "./i18n.js";

/** "We know: <title>, since <time>. … Next update by <time>." in the widget's language. */
export function weKnow(problem, t, lang) {
  const parts = [t("kp_we_know", { title: problem.title,
    since: formatDate(problem.started_at, lang) })];
  if (problem.next_update_at) {
    parts.push(t("kp_next_update", { when: formatDate(problem.next_update_at, lang) }));
  }
  if (problem.estimate_at) {
    parts.push(t("kp_estimate", { when: formatDate(problem.estimate_at, lang) }));
  }
  return parts.join(" ");
}

function details(problem) {
  const latest = (problem.updates || []).at(-1);
  return [problem.text && problem.text !== problem.title ? h("p", {}, problem.text) : null,
    latest ? h("p", { class: "kp-update" }, latest.text) : null];
}

export class KnownProblemBanner {
  constructor(app) {
    this.app = app;
    this.element = h("div", { class: "kp-banner", role: "status", hidden: true });
  }

  async refresh() {
    if (!this.app.signedIn) {
      this.element.hidden = true;
      return;
    }
    try {
      const answer = await this.app.api.get("known-problems");
      this.show(answer.problems || []);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      this.element.hidden = true; // the chat works without it
    }
  }

  show(problems) {
    const { t, lang } = this.app;
    fill(this.element, ...problems.map((problem) => h("div", { class: "kp-item",
      "data-problem": String(problem.id) },
    h("p", {}, h("strong", {}, `${t("kp_label")}. `), weKnow(problem, t, lang)))));
    this.element.hidden = problems.length === 0;
  }
}

/** Mixed into ChatView (chat.js). */
export const knownProblemMethods = {
  /** The messages to render now: those after a known problem wait for "different". */
  holdAfterKnownProblem(messages) {
    const at = messages.findIndex((message) => message.type === "known_problem");
    if (at < 0 || this.replaying) {
      return messages;
    }
    this.heldMessages = messages.slice(at + 1);
    return messages.slice(0, at + 1);
  },

  render_known_problem(message) {
    const { t } = this;
    const entry = this.addEntry("bot wide known-problem",
      h("p", { class: "kp-label" }, t("kp_label")),
      h("p", {}, weKnow(message, t, this.app.lang)), ...details(message));
    const said = h("p", { class: "kp-subscribed", role: "status", hidden: !message.subscribed },
      t("kp_subscribed"));
    const notify = h("button", { type: "button", class: "primary", "data-action": "kp_notify",
      hidden: Boolean(message.subscribed),
      onclick: () => this.subscribeToProblem(message.id, notify, said) }, t("kp_notify"));
    const different = h("button", { type: "button", "data-action": "kp_different",
      onclick: () => this.problemIsDifferent(different) }, t("kp_different"));
    entry.append(said, h("div", { class: "actions" }, notify, different));
    this.focusTarget = notify.hidden ? different : notify;
  },

  async subscribeToProblem(id, button, said) {
    button.disabled = true;
    try {
      await this.app.api.post(`known-problems/${encodeURIComponent(id)}/subscribe`, {});
      button.hidden = true;
      said.hidden = false;
    } catch (error) {
      button.disabled = false;
      this.showError(error);
    }
  },

  problemIsDifferent(button) {
    button.disabled = true;
    const held = this.heldMessages || [];
    this.heldMessages = null;
    this.render(held.length ? held : [{ type: "text", text: this.t("composer_placeholder") }]);
  },
};
