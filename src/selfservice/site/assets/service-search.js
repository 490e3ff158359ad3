// The site's search box asks the support service's search when the service serves the site.
//
// Material's own search (lunr in a worker) has no stemming with two languages and no idea of
// "no answer"; the service's search is the one the chat widget uses. The service answers
// assets/selfservice.json beside this script; a site published as plain static files has no
// such file, and Material's search stays as it is.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var assets = script.src.replace(/[^/]*$/, "");
  var siteRoot = assets.replace(/assets\/$/, "");
  var lang = (document.documentElement.lang || "en").slice(0, 2) === "ru" ? "ru" : "en";
  var TYPING_PAUSE_MS = 350;

  var TEXTS = {
    en: {
      prompt: "Describe the problem in your own words",
      searching: "Searching…",
      found: "Answers for your question",
      none: "Nothing here answers this for sure.",
      maybe: "Possibly related:",
      next: "Try other words, pick a request form, or ask in the chat on the client portal: it files a ticket with what you already tried.",
      forms: "Request forms",
      form: "Request form",
      failed: "Search is not available right now. Try again in a minute."
    },
    ru: {
      prompt: "Опишите проблему своими словами",
      searching: "Ищем…",
      found: "Ответы на ваш вопрос",
      none: "Точного ответа на этот вопрос здесь нет.",
      maybe: "Возможно, подойдёт:",
      next: "Попробуйте другие слова, выберите форму заявки или спросите в чате на портале клиента: он оформит заявку с тем, что вы уже попробовали.",
      forms: "Формы заявок",
      form: "Форма заявки",
      failed: "Поиск сейчас недоступен. Повторите через минуту."
    }
  }[lang];

  function element(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // The snippet is escaped text with matches in <mark>: rebuilt from text and marks only.
  function snippet(markup) {
    var template = document.createElement("template");
    template.innerHTML = markup;
    var paragraph = element("p");
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") paragraph.append(element("mark", {}, [node.textContent]));
      else paragraph.append(document.createTextNode(node.textContent || ""));
    });
    return paragraph;
  }

  function pageUrl(hit) {
    if (hit.type === "form") {
      return siteRoot + (lang === "ru" ? "ru/" : "") + "catalog/" + encodeURIComponent(hit.id) + "/";
    }
    return hit.url;
  }

  function resultItem(hit) {
    var heading = element("h1", {}, [hit.title]);
    var parts = [element("div", { class: "md-search-result__icon md-icon" }), heading];
    if (hit.type === "form") parts.push(element("p", { class: "selfservice-search__badge" }, [TEXTS.form]));
    if (hit.snippet) parts.push(snippet(hit.snippet));
    var link = element("a", {
      href: pageUrl(hit), class: "md-search-result__link", "data-result-id": hit.id
    }, [element("article", { class: "md-search-result__article md-typeset" }, parts)]);
    return element("li", { class: "md-search-result__item" }, [link]);
  }

  function takeOver(searchPath) {
    var form = document.querySelector(".md-search__form");
    var result = document.querySelector("[data-md-component=search-result]");
    var toggle = document.getElementById("__search");
    if (!form || !result || !toggle) return;
    // Clones carry no listeners: Material's handlers stay on the detached originals.
    var ownForm = form.cloneNode(true);
    var ownResult = result.cloneNode(true);
    form.replaceWith(ownForm);
    result.replaceWith(ownResult);
    ownResult.removeAttribute("data-md-component");
    ownResult.setAttribute("data-selfservice-results", "");
    var input = ownForm.querySelector("input[name=query]");
    var meta = ownResult.querySelector(".md-search-result__meta");
    var list = ownResult.querySelector(".md-search-result__list");
    meta.setAttribute("role", "status");
    meta.setAttribute("aria-live", "polite");
    meta.textContent = TEXTS.prompt;
    input.setAttribute("placeholder", input.getAttribute("placeholder") || TEXTS.prompt);
    var timer = 0;
    var pending = null;
    var shown = "";

    function show(query, results) {
      shown = query;
      list.replaceChildren();
      list.hidden = false;
      var sure = results.filter(function (hit) { return hit.confident; });
      if (sure.length) {
        meta.textContent = TEXTS.found;
        sure.forEach(function (hit) { list.append(resultItem(hit)); });
      } else {
        meta.textContent = TEXTS.none;
        var forms = element("a", { href: siteRoot + (lang === "ru" ? "ru/" : "") + "catalog/" }, [TEXTS.forms]);
        list.append(element("li", { class: "md-search-result__item selfservice-search__none" }, [
          element("article", { class: "md-search-result__article md-typeset" }, [
            element("p", {}, [TEXTS.next]), element("p", {}, [forms])
          ])
        ]));
        if (results.length) {
          list.append(element("li", { class: "md-search-result__item selfservice-search__maybe" },
            [element("p", {}, [TEXTS.maybe])]));
          results.slice(0, 3).forEach(function (hit) { list.append(resultItem(hit)); });
        }
      }
      ownResult.setAttribute("data-query", query);
    }

    function search() {
      var query = input.value.trim();
      if (!query) {
        list.replaceChildren();
        meta.textContent = TEXTS.prompt;
        shown = "";
        return;
      }
      if (query === shown) return;
      if (pending) pending.abort();
      pending = new AbortController();
      meta.textContent = TEXTS.searching;
      var address = searchPath + "?limit=8&lang=" + lang + "&q=" + encodeURIComponent(query);
      fetch(address, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then(function (answer) {
          if (!answer.ok) throw new Error(String(answer.status));
          return answer.json();
        })
        .then(function (body) { show(query, body.results || []); })
        .catch(function (error) {
          if (error.name !== "AbortError") meta.textContent = TEXTS.failed;
        });
    }

    input.addEventListener("focus", function () {
      if (!toggle.checked) toggle.click();
    });
    toggle.addEventListener("change", function () {
      if (toggle.checked && document.activeElement !== input) input.focus();
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, TYPING_PAUSE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        if (toggle.checked) toggle.click();
        input.blur();
      } else if (event.key === "ArrowDown") {
        var first = list.querySelector("a[href]");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    ownForm.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      var first = list.querySelector("a.md-search-result__link");
      if (first && shown === input.value.trim()) window.location.href = first.href;
      else search();
    });
    ownForm.addEventListener("reset", function () {
      setTimeout(search, 0);
    });
    document.documentElement.setAttribute("data-selfservice-search", "on");
  }

  // The author's preview (`selfservice kb preview`): a page reloads itself when kb/ is
  // published anew, so a saved article shows without touching the browser.
  function reloadOnPublish(generation) {
    setTimeout(function () {
      fetch(assets + "selfservice.json", { cache: "no-store" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (service) {
          if (service && service.live !== generation) window.location.reload();
          else reloadOnPublish(generation);
        })
        .catch(function () { reloadOnPublish(generation); });
    }, 1500);
  }

  // The home page's search prompt is a label for Material's search toggle: from the
  // keyboard too it opens search with the cursor in the box.
  document.querySelectorAll(".home-search").forEach(function (prompt) {
    prompt.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      var toggle = document.getElementById("__search");
      if (toggle && !toggle.checked) toggle.click();
      var input = document.querySelector(".md-search__form input[name=query]");
      if (input) input.focus();
    });
  });

  fetch(assets + "selfservice.json", { headers: { Accept: "application/json" } })
    .then(function (answer) { return answer.ok ? answer.json() : null; })
    .then(function (service) {
      if (service && typeof service.search === "string") takeOver(service.search);
      if (service && "live" in service) reloadOnPublish(service.live);
    })
    .catch(function () { /* served as static files: Material's search stays */ });
})();
