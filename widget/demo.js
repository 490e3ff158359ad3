// The demo portal's own script: hand the widget the demo contact's token and wire the
// page's buttons to the widget's page API. Works whether or not widget.js has loaded yet.
(() => {
  "use strict";
  const queue = (window.SelfService = window.SelfService || []);
  const meta = document.querySelector('meta[name="selfservice-demo-token"]');
  const token = meta ? meta.content : "";
  if (token) {
    queue.push(["identify", token]);
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    if (button.dataset.call) {
      window.SelfService.push([button.dataset.call]);
    } else if (button.dataset.lang) {
      window.SelfService.push(["setLanguage", button.dataset.lang]);
    }
  });
  // The demo token lives an hour; a fresh page load mints a new one.
  window.addEventListener("selfservice:token-expired", () => window.location.reload());
})();
