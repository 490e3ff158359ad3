// The request-form check, mirroring selfservice.content.validation.validate_submission:
// the same rules, the same order of checks and the same messages (codes and texts in
// English and Russian), so the customer sees before sending exactly what the server would
// answer. The rules come from the form's JSON Schema (GET /api/v1/forms/{id}) and its
// x-ui hints. tests/web/test_widget_routes.py checks MESSAGES against the server's table;
// the browser tests run both checks over every form of the catalog and compare.

// BEGIN MESSAGES (JSON)
export const MESSAGES = {
  "required": ["This field is required.", "Обязательное поле."],
  "unknown_field": ["This form has no such field.", "В этой форме нет такого поля."],
  "not_an_object": ["Send the answers as an object.", "Ответы нужно передать объектом."],
  "not_text": ["Enter text.", "Введите текст."],
  "too_long": ["At most {limit} characters.", "Не больше {limit} символов."],
  "pattern_mismatch": [
    "The value does not have the expected format.",
    "Значение не соответствует ожидаемому формату."
  ],
  "invalid_email": ["Enter an e-mail address.", "Введите адрес электронной почты."],
  "invalid_phone": [
    "Enter a phone number: 7 to 15 digits, optionally starting with +.",
    "Введите номер телефона: от 7 до 15 цифр, можно начать с +."
  ],
  "not_an_integer": ["Enter a whole number.", "Введите целое число."],
  "too_small": [
    "The smallest allowed value is {limit}.",
    "Наименьшее допустимое значение — {limit}."
  ],
  "too_large": [
    "The largest allowed value is {limit}.",
    "Наибольшее допустимое значение — {limit}."
  ],
  "invalid_choice": [
    "Choose one of the offered values.",
    "Выберите один из предложенных вариантов."
  ],
  "not_a_list": ["Choose from the list.", "Выберите значения из списка."],
  "too_few": ["Choose at least {limit}.", "Выберите не меньше {limit}."],
  "too_many": ["Choose at most {limit}.", "Выберите не больше {limit}."],
  "not_a_boolean": ["Answer yes or no.", "Ответьте «да» или «нет»."],
  "invalid_date": ["Enter a date as YYYY-MM-DD.", "Введите дату в формате ГГГГ-ММ-ДД."],
  "invalid_ipv4": ["Enter an IPv4 address.", "Введите IPv4-адрес."],
  "invalid_ipv6": ["Enter an IPv6 address.", "Введите IPv6-адрес."],
  "invalid_ip": ["Enter an IPv4 or IPv6 address.", "Введите IPv4- или IPv6-адрес."],
  "invalid_hostname": [
    "Enter a host name such as vm-01 or vm-01.example.com.",
    "Введите имя хоста, например vm-01 или vm-01.example.com."
  ]
};
// END MESSAGES

export const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const PHONE_PATTERN = /^\+?[0-9]{7,15}$/;
export const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
export const HOSTNAME_PATTERN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
const PHONE_SEPARATORS = /[\s().-]/g;
const TRUE = ["true", "yes", "on", "1"];
const FALSE = ["false", "no", "off", "0"];
// Python's str.strip() whitespace (JS trim() also strips U+FEFF, which Python keeps).
const STRIP = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g;

class Invalid extends Error {
  constructor(code, params = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

export function message(code, lang, params = {}) {
  const [en, ru] = MESSAGES[code] || MESSAGES.not_text;
  return (lang === "ru" ? ru : en).replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isBlank(value) {
  return (
    value === null ||
    value === undefined ||
    (typeof value === "string" && value.replace(STRIP, "") === "") ||
    (Array.isArray(value) && value.length === 0)
  );
}

function strip(text) {
  return text.replace(STRIP, "");
}

function length(text) {
  return [...text].length; // code points, like Python's len()
}

/** The rules of one field, read from the form's JSON Schema and x-ui hints. */
export function fieldRules(schema, id) {
  const property = schema.properties[id] || {};
  const hint = schema["x-ui"].fields[id] || {};
  const patterns = [property.pattern, ...(property.allOf || []).map((p) => p.pattern)]
    .filter((p) => typeof p === "string")
    // form_schema writes a form's own pattern as ^(?:...)$; the rest are the type's.
    .filter((p) => p.startsWith("^(?:") && p.endsWith(")$"));
  return {
    id,
    type: hint.type,
    required: Boolean(hint.required),
    options: (hint.options || []).map((o) => o.value),
    showIf: hint.show_if || null,
    maxLength: property.maxLength ?? null,
    minimum: property.minimum ?? null,
    maximum: property.maximum ?? null,
    minItems: hint.type === "multi-choice" ? minItemsOf(property, hint) : null,
    maxItems: property.maxItems ?? null,
    patterns: patterns.map(compile),
  };
}

function compile(pattern) {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern); // a pattern valid for Python but not in unicode mode
  }
}

function minItemsOf(property, hint) {
  // A required field's schema says minItems >= 1 ("answered"); the form's own minimum
  // is what the server checks once something is chosen, and it is only 1 or more.
  const value = property.minItems ?? null;
  return hint.required && value === 1 ? null : value;
}

function clean(rule, raw) {
  if (rule.type === "integer") {
    return integer(rule, raw);
  }
  if (rule.type === "boolean") {
    return boolean(raw);
  }
  if (rule.type === "multi-choice") {
    return multiChoice(rule, raw);
  }
  if (typeof raw !== "string") {
    throw new Invalid("not_text");
  }
  const text = strip(raw);
  const cleaner = CLEANERS[rule.type] || ((r, t) => t);
  const value = cleaner(rule, text);
  if (rule.maxLength !== null && length(value) > rule.maxLength) {
    throw new Invalid("too_long", { limit: rule.maxLength });
  }
  if (rule.patterns.some((pattern) => !pattern.test(value))) {
    throw new Invalid("pattern_mismatch");
  }
  return value;
}

const CLEANERS = {
  email(rule, text) {
    if (!EMAIL_PATTERN.test(text)) {
      throw new Invalid("invalid_email");
    }
    return text;
  },
  phone(rule, text) {
    const compact = text.replace(PHONE_SEPARATORS, "");
    if (!PHONE_PATTERN.test(compact)) {
      throw new Invalid("invalid_phone");
    }
    return compact;
  },
  date(rule, text) {
    if (!DATE_PATTERN.test(text) || !isCalendarDate(text)) {
      throw new Invalid("invalid_date");
    }
    return text;
  },
  ipv4: ip,
  ipv6: ip,
  ip,
  hostname(rule, text) {
    const name = text.toLowerCase().replace(/\.$/, "");
    if (!HOSTNAME_PATTERN.test(name)) {
      throw new Invalid("invalid_hostname");
    }
    return name;
  },
  choice(rule, text) {
    if (!rule.options.includes(text)) {
      throw new Invalid("invalid_choice");
    }
    return text;
  },
};

function isCalendarDate(text) {
  const [year, month, day] = text.split("-").map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

export function isIPv4(text) {
  const parts = text.split(".");
  return (
    parts.length === 4 &&
    parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
  );
}

export function isIPv6(text) {
  if (text.includes("%") || !/^[0-9A-Fa-f:.]+$/.test(text)) {
    return false;
  }
  let groups = 8;
  let body = text;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    if (!isIPv4(text.slice(lastColon + 1))) {
      return false;
    }
    body = `${text.slice(0, lastColon + 1)}0`; // the IPv4 tail takes two groups
    groups = 7;
  }
  const halves = body.split("::");
  if (halves.length > 2) {
    return false;
  }
  const hextet = (part) => /^[0-9A-Fa-f]{1,4}$/.test(part);
  const split = (part) => (part === "" ? [] : part.split(":"));
  if (halves.length === 1) {
    const parts = split(body);
    return parts.length === groups && parts.every(hextet);
  }
  const [head, tail] = halves.map(split);
  return head.length + tail.length < groups && [...head, ...tail].every(hextet);
}

function ip(rule, text) {
  const ok = {
    ipv4: () => isIPv4(text),
    ipv6: () => isIPv6(text),
    ip: () => isIPv4(text) || isIPv6(text),
  }[rule.type]();
  if (!ok) {
    throw new Invalid(`invalid_${rule.type}`);
  }
  return text;
}

function integer(rule, raw) {
  let value;
  if (typeof raw === "boolean") {
    throw new Invalid("not_an_integer");
  }
  if (typeof raw === "number" && Number.isInteger(raw)) {
    value = raw;
  } else if (typeof raw === "string" && /^[+-]?[0-9]{1,18}$/.test(strip(raw))) {
    value = Number(strip(raw));
  } else {
    throw new Invalid("not_an_integer");
  }
  if (rule.minimum !== null && value < rule.minimum) {
    throw new Invalid("too_small", { limit: rule.minimum });
  }
  if (rule.maximum !== null && value > rule.maximum) {
    throw new Invalid("too_large", { limit: rule.maximum });
  }
  return value;
}

function boolean(raw) {
  if (typeof raw === "boolean") {
    return raw;
  }
  if (typeof raw === "string") {
    const word = strip(raw).toLowerCase();
    if (TRUE.includes(word) || FALSE.includes(word)) {
      return TRUE.includes(word);
    }
  }
  throw new Invalid("not_a_boolean");
}

function multiChoice(rule, raw) {
  const items = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) {
    throw new Invalid("not_a_list");
  }
  const chosen = new Set(items.map(strip));
  if (![...chosen].every((value) => rule.options.includes(value))) {
    throw new Invalid("invalid_choice");
  }
  if (rule.minItems !== null && chosen.size < rule.minItems) {
    throw new Invalid("too_few", { limit: rule.minItems });
  }
  if (rule.maxItems !== null && chosen.size > rule.maxItems) {
    throw new Invalid("too_many", { limit: rule.maxItems });
  }
  return rule.options.filter((value) => chosen.has(value));
}

function matches(value, values) {
  if (value === undefined || value === null) {
    return false;
  }
  if (Array.isArray(value)) {
    return value.some((v) => values.includes(String(v)));
  }
  if (typeof value === "boolean") {
    return values.includes(value ? "true" : "false");
  }
  return values.includes(String(value));
}

/** Which fields are shown, given the cleaned values (show_if, following chains). */
export function visibility(rules, cleaned) {
  const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
  const result = {};
  const visible = (rule, seen) => {
    if (rule.id in result) {
      return result[rule.id];
    }
    if (!rule.showIf) {
      return true;
    }
    const controller = byId[rule.showIf.field];
    if (!controller || seen.has(controller.id)) {
      return false;
    }
    const shown =
      visible(controller, new Set([...seen, rule.id])) &&
      matches(cleaned[controller.id], rule.showIf.values);
    result[rule.id] = shown;
    return shown;
  };
  return Object.fromEntries(rules.map((r) => [r.id, visible(r, new Set())]));
}

/**
 * Check ``submitted`` (field id -> value) against the form. Returns
 * {values, errors: [{field, code, message}], visible: {id: bool}, dropped: [ids]}.
 */
export function validate(schema, submitted, lang) {
  const order = schema["x-ui"].order;
  const rules = order.map((id) => fieldRules(schema, id));
  const errors = Object.keys(submitted)
    .filter((key) => !order.includes(key))
    .map((key) => ({ field: key, code: "unknown_field", message: message("unknown_field", lang) }));
  const cleaned = {};
  const problems = {};
  for (const rule of rules) {
    const raw = submitted[rule.id];
    if (isBlank(raw)) {
      continue;
    }
    try {
      cleaned[rule.id] = clean(rule, raw);
    } catch (error) {
      if (!(error instanceof Invalid)) {
        throw error;
      }
      problems[rule.id] = {
        field: rule.id,
        code: error.code,
        message: message(error.code, lang, error.params),
      };
    }
  }
  const visible = visibility(rules, cleaned);
  const values = {};
  const dropped = [];
  for (const rule of rules) {
    if (!visible[rule.id]) {
      if (!isBlank(submitted[rule.id])) {
        dropped.push(rule.id);
      }
    } else if (rule.id in problems) {
      errors.push(problems[rule.id]);
    } else if (rule.id in cleaned) {
      values[rule.id] = cleaned[rule.id];
    } else if (rule.required) {
      errors.push({ field: rule.id, code: "required", message: message("required", lang) });
    }
  }
  return { values, errors, visible, dropped };
}
