// Small DOM helpers: element building, HTML sanitising, inline Markdown for step texts.
// Text is always set with textContent; HTML from the API passes through sanitize().

/**
 * h("button", {class: "x", onclick: fn, "aria-label": "…"}, "text", child)
 * Attributes whose value is null, undefined or false are left out; true sets "".
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "text") {
      element.textContent = value;
    } else if (name === "value") {
      element.value = value;
    } else if (name === "checked" || name === "disabled" || name === "selected") {
      element[name] = Boolean(value);
      if (name === "disabled") {
        element.setAttribute("disabled", "");
      }
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of ``element``; null, undefined and false children are skipped. */
export function fill(element, ...children) {
  clear(element);
  append(element, children);
  return element;
}

export function clear(element) {
  while (element.firstChild) {
    element.firstChild.remove();
  }
  return element;
}

let counter = 0;
/** A document-unique id for aria-* references. */
export function uid(prefix = "ss") {
  counter += 1;
  return `${prefix}-${counter}`;
}

const ALLOWED = {
  p: [], br: [], strong: [], b: [], em: [], i: [], code: [], pre: [], kbd: [], mark: [],
  ul: [], ol: ["start"], li: [], blockquote: [], hr: [],
  h1: [], h2: [], h3: [], h4: [], h5: [], h6: [],
  table: [], thead: [], tbody: [], tr: [], th: ["colspan", "rowspan"], td: ["colspan", "rowspan"],
  a: ["href"], div: [], span: [], dl: [], dt: [], dd: [],
};

/**
 * Copy the allowed elements and attributes of ``html`` into a fragment; everything else
 * is reduced to its text. Links keep only http(s) and mailto targets, opening in a new tab.
 * Headings are shifted down so an article never outranks the widget's own headings.
 */
export function sanitize(html, { shiftHeadings = 2 } = {}) {
  const parsed = new DOMParser().parseFromString(String(html), "text/html");
  const fragment = document.createDocumentFragment();
  for (const node of parsed.body.childNodes) {
    copyNode(node, fragment, shiftHeadings);
  }
  return fragment;
}

function copyNode(node, parent, shift) {
  if (node.nodeType === Node.TEXT_NODE) {
    parent.append(document.createTextNode(node.textContent));
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return;
  }
  let tag = node.tagName.toLowerCase();
  if (["script", "style", "template", "iframe", "object", "embed"].includes(tag)) {
    return;
  }
  if (!(tag in ALLOWED)) {
    for (const child of node.childNodes) {
      copyNode(child, parent, shift);
    }
    return;
  }
  const heading = /^h([1-6])$/.exec(tag);
  if (heading) {
    tag = `h${Math.min(6, Number(heading[1]) + shift)}`;
  }
  const copy = document.createElement(tag);
  for (const name of ALLOWED[node.tagName.toLowerCase()]) {
    const value = node.getAttribute(name);
    if (value !== null) {
      copy.setAttribute(name, value);
    }
  }
  if (tag === "a") {
    const href = node.getAttribute("href") || "";
    if (/^(https?:|mailto:)/i.test(href)) {
      copy.setAttribute("target", "_blank");
      copy.setAttribute("rel", "noopener noreferrer");
    } else {
      copy.removeAttribute("href");
    }
  }
  for (const child of node.childNodes) {
    copyNode(child, copy, shift);
  }
  parent.append(copy);
}

/** Move keyboard focus to ``element`` without scrolling the page behind the widget. */
export function focus(element) {
  if (element && typeof element.focus === "function") {
    element.focus({ preventScroll: false });
  }
}
