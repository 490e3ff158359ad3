// A step's text as the server rendered it from kb/ Markdown (paragraphs, lists, links,
// inline code, code blocks), passed through the allow-list sanitiser of dom.js, with a
// "Copy" button on every code block.

import { h, sanitize } from "./dom.js";

const COPIED_FOR_MS = 2500;

/**
 * The sanitised content of ``html``. ``inline``: a lone paragraph is unwrapped, so the
 * text can follow a label on the same line (the step's "Check:").
 */
export function richText(html, t, { inline = false, shiftHeadings = 2 } = {}) {
  const fragment = sanitize(html, { shiftHeadings });
  const only = fragment.children.length === 1 ? fragment.firstElementChild : null;
  if (inline && only && only.tagName === "P"
    && [...fragment.childNodes].every((n) => n === only || !n.textContent.trim())) {
    const inner = document.createDocumentFragment();
    inner.append(...only.childNodes);
    return inner;
  }
  for (const pre of fragment.querySelectorAll("pre")) {
    const [parent, next] = [pre.parentNode, pre.nextSibling];
    parent.insertBefore(codeBlock(pre, t), next); // moves the <pre> into the block
  }
  return fragment;
}

function codeBlock(pre, t) {
  const status = h("span", { class: "copy-status", role: "status" });
  const button = h("button", { type: "button", class: "copy" }, t("copy"));
  button.addEventListener("click", async () => {
    const copied = await copyText(pre.textContent.replace(/\n$/, ""), button);
    button.textContent = t(copied ? "copied" : "copy");
    status.textContent = copied ? t("copied") : t("copy_by_hand");
    status.classList.toggle("visually-hidden", copied); // the button says it already
    if (!copied) {
      selectText(pre);
    }
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(() => {
      button.textContent = t("copy");
      status.textContent = "";
    }, COPIED_FOR_MS);
  });
  return h("div", { class: "code-block" }, h("div", { class: "code-tools" }, status, button),
    pre);
}

/** The Clipboard API where the frame may use it, else the older copy command. */
async function copyText(text, returnFocusTo) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission, the page did not delegate it): try the copy command
  }
  const buffer = h("textarea", { class: "copy-buffer", readonly: "", tabindex: "-1",
    "aria-hidden": "true" });
  buffer.value = text;
  document.body.append(buffer);
  buffer.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  buffer.remove();
  returnFocusTo.focus();
  return copied;
}

function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
