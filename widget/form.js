// The request form, rendered from the server's JSON Schema and x-ui hints: every field
// type, required marks, conditional fields (show_if), the same checks and messages as the
// server before sending, and the server's own per-field errors (422) next to the fields.

import { ApiError } from "./api.js";
import { clear, fill, focus, h, uid } from "./dom.js";
import { URGENCIES } from "./i18n.js";
import { isBlank, validate } from "./validation.js";

const TEXT_INPUTS = {
  text: "text",
  email: "email",
  tel: "tel",
  number: "text",
  date: "date",
  ip: "text",
  hostname: "text",
};

export class RequestFormView {
  /**
   * ``onFiled(answer)`` receives the 201 answer of POST /tickets;
   * ``onBack()`` returns to the chat.
   */
  constructor({ api, lang, t, formId, prefill, conversationId, onFiled, onBack, picker }) {
    Object.assign(this, { api, lang, t, formId, conversationId, onFiled, onBack });
    /** The file picker (attach.js), or null when attachments are not available. */
    this.picker = picker || null;
    this.prefill = prefill || {};
    this.fields = {}; // id -> {hint, wrapper, control, error, read()}
    this.attempted = false;
    this.element = h("section", { class: "form-view", "aria-busy": "true" },
      h("p", { class: "muted" }, t("loading")));
  }

  async load() {
    const form = await this.api.get(`forms/${encodeURIComponent(this.formId)}`);
    this.form = form;
    this.schema = form.schema;
    this.render();
    this.refresh();
    return this;
  }

  render() {
    const { t } = this;
    const titleId = uid("form-title");
    this.summary = h("div", { class: "form-summary", role: "alert", hidden: true });
    this.submitButton = h("button", { type: "submit", class: "primary" }, t("submit"));
    const form = h("form", { novalidate: true, onsubmit: (e) => this.submit(e),
      oninput: () => this.refresh(), onchange: () => this.refresh() });
    form.append(this.summary);
    for (const id of this.schema["x-ui"].order) {
      form.append(this.renderField(id));
    }
    form.append(...this.renderExtras(), h("div", { class: "form-actions" }, this.submitButton));
    fill(this.element, 
      h("div", { class: "form-head" },
        h("button", { type: "button", class: "link back", onclick: () => this.onBack() },
          `← ${t("back_to_chat")}`),
        h("h2", { id: titleId, tabindex: "-1" }, this.form.title),
        this.form.description ? h("p", { class: "muted" }, this.form.description) : null,
        h("p", { class: "note" }, t("form_required_note"))),
      form,
    );
    this.element.setAttribute("aria-labelledby", titleId);
    this.element.removeAttribute("aria-busy");
    this.heading = this.element.querySelector("h2");
  }

  label(hint) {
    return hint.label[this.lang] || hint.label.en;
  }

  renderField(id) {
    const hint = this.schema["x-ui"].fields[id];
    const controlId = uid(`f-${id}`);
    const helpId = hint.help ? uid("help") : null;
    const errorId = uid("err");
    const error = h("p", { id: errorId, class: "field-error", hidden: true });
    const help = hint.help
      ? h("p", { id: helpId, class: "help" }, hint.help[this.lang] || hint.help.en)
      : null;
    const describedBy = [helpId, errorId].filter(Boolean).join(" ");
    const mark = hint.required
      ? h("span", { class: "req", title: this.t("required_mark"), "aria-hidden": "true" }, " *")
      : null;
    let body;
    let control;
    let read;
    if (hint.widget === "checkboxes" || (hint.widget === "yes-no" && hint.required)) {
      const boxes = this.choiceInputs(id, hint);
      control = h("fieldset", { class: "choices", "aria-describedby": describedBy,
        "aria-required": hint.required ? "true" : null },
        h("legend", {}, this.label(hint), mark), ...boxes.map((b) => b.label));
      body = [control, help, error];
      read = hint.widget === "checkboxes"
        ? () => boxes.filter((b) => b.input.checked).map((b) => b.input.value)
        : () => {
          const chosen = boxes.find((b) => b.input.checked);
          return chosen ? chosen.input.value === "true" : "";
        };
    } else if (hint.widget === "yes-no") {
      const input = h("input", { type: "checkbox", id: controlId, value: "true",
        "aria-describedby": describedBy });
      control = input;
      body = [h("div", { class: "check" }, input, h("label", { for: controlId },
        this.label(hint))), help, error];
      read = () => (input.checked ? true : "");
    } else {
      control = this.singleControl(id, hint, controlId, describedBy);
      body = [h("label", { for: controlId }, this.label(hint), mark), help, control, error];
      read = () => control.value;
    }
    const wrapper = h("div", { class: "field", "data-field": id }, ...body);
    this.fields[id] = { hint, wrapper, control, error, read };
    return wrapper;
  }

  choiceInputs(id, hint) {
    const type = hint.widget === "checkboxes" ? "checkbox" : "radio";
    const options = hint.widget === "checkboxes"
      ? hint.options.map((o) => ({ value: o.value, label: o.label[this.lang] || o.label.en }))
      : [{ value: "true", label: this.t("yes") }, { value: "false", label: this.t("no") }];
    return options.map((option) => {
      const inputId = uid(`o-${id}`);
      const input = h("input", { type, id: inputId, name: id, value: option.value });
      return { input, label: h("div", { class: "check" }, input,
        h("label", { for: inputId }, option.label)) };
    });
  }

  singleControl(id, hint, controlId, describedBy) {
    const common = { id: controlId, name: id, "aria-describedby": describedBy,
      "aria-required": hint.required ? "true" : null };
    const initial = this.prefill[id] ?? "";
    if (hint.widget === "select") {
      return h("select", common,
        h("option", { value: "" }, this.t("choose")),
        ...hint.options.map((o) => h("option", { value: o.value, selected: o.value === initial },
          o.label[this.lang] || o.label.en)));
    }
    if (hint.widget === "textarea") {
      return h("textarea", { ...common, rows: "3", value: initial });
    }
    const technical = ["ip", "hostname", "email", "tel"].includes(hint.widget);
    return h("input", {
      ...common,
      type: TEXT_INPUTS[hint.widget] || "text",
      inputmode: hint.widget === "number" ? "numeric" : null,
      autocomplete: hint.widget === "email" ? "email" : hint.widget === "tel" ? "tel" : "off",
      spellcheck: technical ? "false" : null,
      autocapitalize: technical ? "none" : null,
      value: initial,
    });
  }

  renderExtras() {
    const { t } = this;
    const extras = [];
    if (this.form.customer_sets_urgency) {
      const id = uid("urgency");
      const helpId = uid("help");
      const noticeId = uid("notice");
      this.urgency = h("select", { id, name: "urgency", "aria-describedby": `${helpId} ${noticeId}` },
        ...URGENCIES.map((u) => h("option", { value: u, selected: u === this.form.default_urgency },
          t(`urgency_${u}`))));
      this.phoneNotice = h("p", { id: noticeId, class: "notice", role: "status" });
      extras.push(h("div", { class: "field urgency" },
        h("label", { for: id }, t("urgency")),
        h("p", { id: helpId, class: "help" }, t("urgency_help")),
        this.urgency, this.phoneNotice));
    }
    const id = uid("description");
    const helpId = uid("help");
    this.description = h("textarea", { id, name: "description", rows: "3",
      "aria-describedby": helpId });
    extras.push(h("div", { class: "field" },
      h("label", { for: id }, t("description")),
      h("p", { id: helpId, class: "help" }, t("description_help")),
      this.description));
    if (this.picker) {
      extras.push(this.picker.element);
    }
    return extras;
  }

  values() {
    return Object.fromEntries(Object.entries(this.fields).map(([id, f]) => [id, f.read()]));
  }

  /** Show or hide conditional fields; after a first attempt, keep the errors current. */
  refresh() {
    const result = validate(this.schema, this.values(), this.lang);
    for (const [id, field] of Object.entries(this.fields)) {
      field.wrapper.hidden = !result.visible[id];
    }
    if (this.urgency) {
      const high = ["high", "very_high"].includes(this.urgency.value);
      this.phoneNotice.textContent = high ? this.t("urgency_phone_notice") : "";
      this.phoneNotice.hidden = !high;
    }
    if (this.attempted) {
      this.showErrors(result.errors, { announce: false });
    }
    return result;
  }

  showErrors(errors, { announce = true, other = [] } = {}) {
    const byField = Object.fromEntries(errors.filter((e) => e.field in this.fields)
      .map((e) => [e.field, e.message]));
    for (const [id, field] of Object.entries(this.fields)) {
      const text = byField[id];
      field.error.textContent = text || "";
      field.error.hidden = !text;
      const target = field.control;
      if (text) {
        target.setAttribute("aria-invalid", "true");
      } else {
        target.removeAttribute("aria-invalid");
      }
      field.wrapper.classList.toggle("invalid", Boolean(text));
    }
    const count = Object.keys(byField).length;
    const rest = [...other, ...errors.filter((e) => !(e.field in this.fields))
      .map((e) => e.message)];
    if (!count && !rest.length) {
      this.summary.hidden = true;
      clear(this.summary);
      return;
    }
    fill(this.summary, 
      count ? h("p", {}, this.t("form_errors", { count })) : null,
      rest.length ? h("p", {}, this.t("form_error_other")) : null,
      rest.length ? h("ul", {}, ...rest.map((m) => h("li", {}, m))) : null);
    this.summary.hidden = false;
    if (announce) {
      const first = errors.find((e) => e.field in this.fields);
      const field = first && this.fields[first.field];
      focus(field ? field.control.querySelector?.("input") || field.control : this.summary);
    }
  }

  payload() {
    const result = validate(this.schema, this.values(), this.lang);
    const fields = {};
    for (const [id, field] of Object.entries(this.fields)) {
      const value = field.read();
      if (result.visible[id] && !isBlank(value)) {
        fields[id] = value;
      }
    }
    const body = { form: this.formId, fields, description: this.description.value };
    if (this.urgency) {
      body.urgency = this.urgency.value;
    }
    if (this.conversationId) {
      body.conversation = this.conversationId;
    }
    return { result, body };
  }

  async submit(event) {
    event.preventDefault();
    if (this.sending) {
      return;
    }
    this.attempted = true;
    const { result, body } = this.payload();
    if (result.errors.length) {
      this.showErrors(result.errors);
      return;
    }
    this.showErrors([]);
    this.sending = true;
    this.submitButton.disabled = true;
    this.submitButton.textContent = this.t("submitting");
    try {
      if (this.picker && this.picker.chosen.length) {
        this.submitButton.textContent = this.t("attach_uploading");
        body.attachments = await this.picker.upload();
        this.submitButton.textContent = this.t("submitting");
      }
      const answer = await this.api.post("tickets", body);
      this.onFiled(answer);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        throw error;
      }
      const errors = error.errors.map((e) => ({ field: e.field, code: e.error,
        message: e.message }));
      this.showErrors(errors, { other: errors.length ? [] : [error.message] });
    } finally {
      this.sending = false;
      this.submitButton.disabled = false;
      this.submitButton.textContent = this.t("submit");
    }
  }

  focusFirst() {
    focus(this.heading);
  }
}
