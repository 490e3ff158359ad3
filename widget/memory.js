// The conversation a customer is in, remembered in the frame's own origin (localStorage,
// one per organisation), so that it goes on when the customer moves to another page of the
// portal: its id and what the chat showed (the customer's words and the server's messages,
// replayed as they were). Forgotten on "Start a new conversation", on signing out, when the
// server no longer answers for it, and 24 hours after its last message.
//
// Storage may be refused (a browser that blocks storage in frames): the chat then simply
// starts a new conversation on every page, as before.

const KEY_PREFIX = "selfservice.conversation.";
export const KEEP_MS = 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 200;

export class ConversationMemory {
  constructor(org) {
    this.key = KEY_PREFIX + (org || "-");
  }

  /** ``{id, lang, at, log}`` of the remembered conversation, or null. */
  read(now = Date.now()) {
    let data = null;
    try {
      data = JSON.parse(window.localStorage.getItem(this.key) || "null");
    } catch {
      return null;
    }
    const fresh = data && typeof data.id === "string" && Array.isArray(data.log)
      && typeof data.at === "number" && now - data.at < KEEP_MS;
    if (!fresh) {
      this.forget();
      return null;
    }
    return data;
  }

  begin(id, lang, messages) {
    this.write({ id, lang, at: Date.now(), log: [{ bot: messages }] });
  }

  /** One more entry of conversation ``id``: ``{user: text}`` or ``{bot: messages}``. */
  add(id, entry) {
    const data = this.read();
    if (!data || data.id !== id) {
      return;
    }
    data.log = [...data.log, entry].slice(-MAX_ENTRIES);
    data.at = Date.now();
    this.write(data);
  }

  forget() {
    try {
      window.localStorage.removeItem(this.key);
    } catch {
      // storage refused: nothing was remembered either
    }
  }

  write(data) {
    try {
      window.localStorage.setItem(this.key, JSON.stringify(data));
    } catch {
      // storage refused or full: the conversation is not remembered, nothing else changes
    }
  }
}
