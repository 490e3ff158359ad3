// Files from the customer: a picker for the request form and the reply box, and the
// ticket's attachment list with downloads. The limits come from the server (GET /me,
// "attachments"): the picker refuses, before any upload, what the server would refuse
// (type, size per file, total, count), and is not shown at all without them, so the
// form never offers attachments that cannot be made.
// Files are uploaded one by one when the form is sent (POST /attachments, the body is the
// file); the ticket or reply then names the returned ids.

import { ApiError } from "./api.js";
import { fill, h, uid } from "./dom.js";

/** "1.5 MB", "820 KB", "12 bytes" — "1,5 МБ" in Russian. */
export function formatSize(bytes, lang) {
  const ru = lang === "ru";
  if (bytes < 1024) {
    return `${bytes} ${ru ? "байт" : "bytes"}`;
  }
  const [value, unit] = bytes >= 1024 * 1024
    ? [bytes / (1024 * 1024), ru ? "МБ" : "MB"] : [bytes / 1024, ru ? "КБ" : "KB"];
  const text = value.toFixed(1).replace(/\.0$/, "");
  return `${ru ? text.replace(".", ",") : text} ${unit}`;
}

function extensionOf(name) {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  return ext && !ext.includes(" ") ? `.${ext.toLowerCase()}` : "";
}

/** The server's rule: a name's extension decides; without one, the declared type. */
export function typeAllowed(file, limits) {
  if (limits.any_type) {
    return true;
  }
  const ext = extensionOf(file.name);
  if (ext) {
    return limits.extensions.includes(ext);
  }
  return limits.content_types.includes((file.type || "").toLowerCase());
}

export class FilePicker {
  /** ``limits``: the "attachments" of GET /me. */
  constructor({ api, t, lang, limits }) {
    Object.assign(this, { api, t, lang, limits });
    this.chosen = []; // {file, id?}
    const buttonId = uid("files");
    const helpId = uid("help");
    this.errorElement = h("p", { class: "field-error", role: "alert", hidden: true });
    this.list = h("ul", { class: "chosen-files", "aria-live": "polite" });
    // The browser's own file input speaks the browser's language, not the widget's: it is
    // hidden, and a button of ours (a real button: Tab, Enter, Space) opens it.
    this.input = h("input", { type: "file", class: "file-input", multiple: true,
      tabindex: "-1", "aria-hidden": "true",
      accept: [...limits.extensions, ...limits.content_types].join(",") || null,
      onchange: () => this.add() });
    this.button = h("button", { type: "button", id: buttonId, class: "choose-files",
      "aria-describedby": helpId, onclick: () => this.input.click() }, t("attach_choose"));
    this.element = h("div", { class: "field attachments" },
      h("label", { for: buttonId }, t("attach_label")),
      h("p", { id: helpId, class: "help" }, this.helpText()),
      this.button, this.input, this.errorElement, this.list);
  }

  helpText() {
    const { limits, t } = this;
    const types = limits.any_type ? t("attach_any_type")
      : limits.extensions.join(" ");
    return t("attach_help", { types, size: formatSize(limits.max_file_bytes, this.lang),
      count: limits.max_count, total: formatSize(limits.max_total_bytes, this.lang) });
  }

  add() {
    const { limits, t } = this;
    const problems = [];
    for (const file of this.input.files) {
      const total = this.chosen.reduce((sum, c) => sum + c.file.size, 0);
      const size = formatSize(limits.max_file_bytes, this.lang);
      if (!typeAllowed(file, limits)) {
        problems.push(t("attach_bad_type", { name: file.name }));
      } else if (file.size === 0) {
        problems.push(t("attach_empty", { name: file.name }));
      } else if (file.size > limits.max_file_bytes) {
        problems.push(t("attach_too_large", { name: file.name, size }));
      } else if (this.chosen.length >= limits.max_count) {
        problems.push(t("attach_too_many", { count: limits.max_count }));
      } else if (total + file.size > limits.max_total_bytes) {
        problems.push(t("attach_total", { name: file.name,
          total: formatSize(limits.max_total_bytes, this.lang) }));
      } else {
        this.chosen.push({ file });
      }
    }
    this.input.value = "";
    this.showError(problems.join(" "));
    this.render();
  }

  render() {
    fill(this.list, ...this.chosen.map((c, index) => h("li", { "data-file": c.file.name },
      h("span", { class: "file-name" }, c.file.name),
      h("span", { class: "muted" }, ` · ${formatSize(c.file.size, this.lang)} `),
      h("button", { type: "button", class: "link remove",
        "aria-label": this.t("attach_remove", { name: c.file.name }),
        onclick: () => this.remove(index) }, this.t("attach_remove_short")))));
  }

  remove(index) {
    this.chosen.splice(index, 1);
    this.render();
    this.showError("");
    this.button.focus();
  }

  showError(text) {
    this.errorElement.textContent = text;
    this.errorElement.hidden = !text;
  }

  /** Upload what is not uploaded yet; the ids for the request. Throws ApiError. */
  async upload() {
    for (const chosen of this.chosen) {
      if (!chosen.id) {
        const answer = await this.api.upload("attachments", chosen.file);
        chosen.id = answer.id;
      }
    }
    return this.chosen.map((c) => c.id);
  }

  reset() {
    this.chosen = [];
    this.render();
    this.showError("");
  }
}

/** A picker when the server's limits are known, else null (nothing is offered). */
export function filePicker(app) {
  const limits = app.identity && app.identity.attachments;
  return limits ? new FilePicker({ api: app.api, t: app.t, lang: app.lang, limits }) : null;
}

/** The ticket's files, each a button that downloads it. */
export function attachmentList({ api, t, lang }, attachments) {
  if (!attachments || !attachments.length) {
    return null;
  }
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const items = attachments.map((a) => h("li", { "data-attachment": a.name },
    h("button", { type: "button", class: "link download", onclick: async () => {
      error.hidden = true;
      try {
        await api.download(a.url, a.name);
      } catch (problem) {
        if (!(problem instanceof ApiError)) {
          throw problem;
        }
        error.textContent = problem.message;
        error.hidden = false;
      }
    } }, a.name),
    h("span", { class: "muted" }, ` · ${formatSize(a.size, lang)}`,
      a.source === "email" ? ` · ${t("attach_from_email")}` : "")));
  return h("section", { class: "attachments-list" },
    h("h3", {}, t("attachments")), h("ul", {}, ...items), error);
}
