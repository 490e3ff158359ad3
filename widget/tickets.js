// "My tickets": the organisation's tickets and one ticket in detail, where the contact
// follows the status, replies, changes the urgency, and confirms or rejects a completed
// ticket. The server says which of these are possible now (``actions``).

import { ApiError } from "./api.js";
import { fill, focus, h, uid } from "./dom.js";
import { formatDate, URGENCIES } from "./i18n.js";
import { attachmentList, filePicker } from "./attach.js";

export class TicketsView {
  /** ``app`` provides api, t, lang, signedIn. */
  constructor(app) {
    this.app = app;
    this.element = h("section", { class: "tickets-view", "aria-live": "polite" });
  }

  get t() {
    return this.app.t;
  }

  heading(text) {
    const heading = h("h2", { tabindex: "-1" }, text);
    return heading;
  }

  async showList() {
    const { t } = this;
    if (!this.app.signedIn) {
      fill(this.element, this.heading(t("tickets_heading")),
        h("p", { class: "notice", role: "note" }, t("tickets_sign_in")));
      return;
    }
    fill(this.element, this.heading(t("tickets_heading")),
      h("p", { class: "muted" }, t("loading")));
    let answer;
    try {
      answer = await this.app.api.get("tickets", { limit: 50 });
    } catch (error) {
      this.fail(error);
      return;
    }
    const heading = this.heading(t("tickets_heading"));
    const refresh = h("button", { type: "button", class: "link",
      onclick: () => this.showList() }, t("tickets_refresh"));
    const identity = this.app.identity;
    const telegramSlot = h("div", { class: "telegram-slot" });
    const connect = identity && identity.telegram
      ? h("button", { type: "button", class: "link", "data-action": "connect-telegram",
        onclick: () => this.connectTelegram(telegramSlot) }, t("telegram_connect"))
      : null;
    const items = answer.tickets.map((ticket) => h("li", {},
      h("button", { type: "button", class: "card ticket-row", "data-ticket": ticket.number,
        onclick: () => this.showTicket(ticket.number) },
      h("span", { class: "card-title" }, `${ticket.number} · ${ticket.subject}`),
      h("span", { class: `status status-${ticket.status}` }, t(`status_${ticket.status}`)),
      h("span", { class: "card-text" }, `${t("ticket_updated")}: `,
        formatDate(ticket.updated_at, this.app.lang)))));
    fill(this.element, h("div", { class: "view-head" }, heading,
      h("span", { class: "view-actions" }, connect, refresh)),
      telegramSlot,
      items.length ? h("ul", { class: "cards" }, ...items)
        : h("p", { class: "muted" }, t("tickets_empty")));
    focus(heading);
  }

  /** A link code for the Telegram bot: the command to send, and the bot's link. */
  async connectTelegram(slot) {
    const { t } = this;
    let answer;
    try {
      answer = await this.app.api.post("telegram/link-code", {});
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      fill(slot, h("p", { class: "field-error", role: "alert" }, error.message));
      return;
    }
    const until = formatDate(answer.expires_at, this.app.lang);
    fill(slot, h("div", { class: "notice telegram-code", role: "status" },
      h("p", {}, t("telegram_intro")),
      h("p", { class: "code" }, h("code", { "data-code": answer.code }, answer.command)),
      answer.link ? h("p", {}, h("a", { href: answer.link, target: "_blank",
        rel: "noopener noreferrer" }, t("telegram_open"))) : null,
      h("p", { class: "muted" }, t("telegram_until", { time: until }))));
  }

  fail(error) {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    fill(this.element, this.heading(this.t("tickets_heading")),
      h("p", { class: "field-error", role: "alert" }, error.message));
  }

  async showTicket(number, note = null) {
    const { t } = this;
    let ticket;
    try {
      ticket = await this.app.api.get(`tickets/${encodeURIComponent(number)}`);
    } catch (error) {
      this.fail(error);
      return;
    }
    const heading = this.heading(`${ticket.number} · ${ticket.subject}`);
    const facts = h("dl", { class: "facts" },
      h("dt", {}, t("ticket_status")),
      h("dd", { class: `status status-${ticket.status}`, "data-status": ticket.status },
        t(`status_${ticket.status}`)),
      h("dt", {}, t("ticket_priority")), h("dd", {}, ticket.priority),
      h("dt", {}, t("ticket_urgency")), h("dd", {}, t(`urgency_${ticket.urgency}`),
        // A closed ticket no longer asks for a phone call to confirm its urgency.
        ticket.urgency_confirmed || ticket.status === "closed" ? null
          : h("span", { class: "muted" }, ` (${t("urgency_unconfirmed")})`)),
      h("dt", {}, t("ticket_created")), h("dd", {}, formatDate(ticket.created_at, this.app.lang)));
    fill(this.element, 
      h("div", { class: "view-head" },
        h("button", { type: "button", class: "link back", onclick: () => this.showList() },
          `← ${t("tickets_back")}`)),
      heading,
      note ? h("p", { class: "notice success", role: "status" }, note) : null,
      this.clock(ticket),
      facts,
      this.submitted(ticket),
      attachmentList(this.app, ticket.attachments),
      this.timeline(ticket),
      ...this.decision(ticket),
      this.comments(ticket),
      ...this.replyForm(ticket),
      ...this.urgencyForm(ticket));
    focus(heading);
  }

  clock(ticket) {
    const sla = ticket.sla;
    if (!sla || !sla.sentence) {
      return null;
    }
    return h("p", { class: `notice sla${sla.paused ? " paused" : ""}`, "data-sla": "sentence" },
      sla.sentence);
  }

  submitted(ticket) {
    const { t } = this;
    if (!ticket.form_name && !(ticket.submitted || []).length && !ticket.description) {
      return null;
    }
    const rows = (ticket.submitted || []).flatMap((f) => [
      h("dt", {}, f.label), h("dd", { "data-field": f.id }, f.value)]);
    return h("section", { class: "submitted" },
      h("h3", {}, t("ticket_submitted")),
      ticket.form_name ? h("p", { class: "form-name" },
        `${t("ticket_form")}: `, ticket.form_name) : null,
      ticket.description ? h("p", { class: "body description" }, ticket.description) : null,
      rows.length ? h("dl", { class: "facts" }, ...rows) : null);
  }

  timeline(ticket) {
    const { t } = this;
    const changes = ticket.history || [];
    if (!changes.length) {
      return null;
    }
    return h("section", { class: "timeline" },
      h("h3", {}, t("ticket_timeline")),
      h("ol", {}, ...changes.map((c) => h("li", { "data-status": c.to },
        `${formatDate(c.at, this.app.lang)} · ${t(`status_${c.to}`)}`))));
  }

  decision(ticket) {
    const { t } = this;
    const can = (name) => ticket.actions.includes(name);
    if (!can("confirm") && !can("reject")) {
      return [];
    }
    const reasonId = uid("reason");
    const reason = h("textarea", { id: reasonId, rows: "2" });
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    const rejectBox = h("div", { class: "field", hidden: true },
      h("label", { for: reasonId }, t("reject_reason")), reason, error,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () =>
        this.run(ticket, "reject", { reason: reason.value }, t("rejected"), error) },
      t("reject_send"))));
    return [h("div", { class: "decision" },
      h("p", {}, t("completed_question")),
      h("div", { class: "actions" },
        can("confirm") ? h("button", { type: "button", class: "primary", "data-action": "confirm",
          onclick: () => this.run(ticket, "confirm", {}, t("confirmed"), error) }, t("confirm"))
          : null,
        can("reject") ? h("button", { type: "button", "data-action": "reject", onclick: () => {
          rejectBox.hidden = false;
          focus(reason);
        } }, t("reject")) : null),
      rejectBox)];
  }

  comments(ticket) {
    const { t } = this;
    const author = (c) => t(c.mine ? "author_mine" : `author_${c.author}`);
    return h("section", { class: "comments" },
      h("h3", {}, t("comments")),
      ticket.comments.length
        ? h("ol", {}, ...ticket.comments.map((c) => h("li", { class: c.mine ? "mine" : null },
          h("p", { class: "meta" }, `${author(c)} · ${formatDate(c.at, this.app.lang)}`),
          h("p", { class: "body" }, c.body))))
        : h("p", { class: "muted" }, t("no_comments")));
  }

  replyForm(ticket) {
    if (!ticket.actions.includes("comment")) {
      return [];
    }
    const { t } = this;
    const id = uid("reply");
    const text = h("textarea", { id, rows: "3" });
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    const picker = filePicker(this.app);
    const send = h("button", { type: "submit" }, t("reply_send"));
    return [h("form", { class: "reply", onsubmit: async (event) => {
      event.preventDefault();
      if (!text.value.trim() || send.disabled) {
        return;
      }
      const body = { text: text.value };
      send.disabled = true;
      try {
        if (picker && picker.chosen.length) {
          body.attachments = await picker.upload();
        }
      } catch (problem) {
        send.disabled = false;
        if (!(problem instanceof ApiError)) {
          throw problem;
        }
        error.textContent = problem.message;
        error.hidden = false;
        return;
      }
      await this.run(ticket, "comments", body, t("reply_sent"), error);
      send.disabled = false;
    } },
    h("label", { for: id }, t("reply_label")), text, error,
    picker ? picker.element : null,
    h("div", { class: "actions" }, send))];
  }

  urgencyForm(ticket) {
    if (!ticket.actions.includes("urgency")) {
      return [];
    }
    const { t } = this;
    const id = uid("urgency");
    const select = h("select", { id }, ...URGENCIES.map((u) => h("option",
      { value: u, selected: u === ticket.urgency }, t(`urgency_${u}`))));
    const error = h("p", { class: "field-error", role: "alert", hidden: true });
    return [h("form", { class: "urgency-change", onsubmit: (event) => {
      event.preventDefault();
      this.run(ticket, "urgency", { urgency: select.value }, t("urgency_changed"), error);
    } },
    h("label", { for: id }, t("change_urgency")), select, error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("change_urgency"))))];
  }

  async run(ticket, endpoint, body, done, errorElement) {
    let answer;
    try {
      answer = await this.app.api.post(
        `tickets/${encodeURIComponent(ticket.number)}/${endpoint}`, body);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      errorElement.textContent = error.message;
      errorElement.hidden = false;
      return;
    }
    const phone = answer && answer.phone_confirmation;
    const note = phone && phone.required && phone.message ? `${done} ${phone.message}` : done;
    await this.showTicket(ticket.number, note);
  }
}
