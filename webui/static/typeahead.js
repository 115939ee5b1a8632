// Suggestions under the search box, as an ARIA 1.2 combobox with a listbox, and "/" to focus
// the box from anywhere. Without JavaScript the box is a plain search field.
// Like the page's other script it makes no URL of its own: suggestions are asked for by
// submitting the page's suggestion form (action and field rendered by the server), and a chosen
// suggestion is put in the box and the search form submitted, as pressing Enter would.
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var MIN_CHARS = 2;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function typingInField(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && ["checkbox", "radio", "button", "submit", "reset"].indexOf(el.type) < 0);
  }

  ready(function () {
    var box = document.getElementById("q");
    var form = document.getElementById("search-form");
    var list = document.getElementById("q-suggestions");
    var source = document.getElementById("suggest-form");
    if (!box || !form) return;

    // "/" focuses the search box, unless the reader is typing in a field.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      if (typingInField(document.activeElement)) return;
      event.preventDefault();
      box.focus();
      box.select();
    });

    if (!list || !source || !window.fetch || !window.AbortController) return;

    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");

    var timer = null;
    var controller = null;
    var items = []; // the suggestions shown
    var active = -1; // the option the arrow keys are on
    var shownFor = null; // the text the list was made for

    function suggestionsUrl(q) {
      var data = new FormData(source);
      data.set("q", q);
      var url = new URL(source.getAttribute("action"), location.href);
      url.search = new URLSearchParams(data).toString();
      return url.href;
    }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function entries(n) {
      return n + (n === 1 ? " entry" : " entries");
    }

    function render(q, suggestions) {
      items = suggestions;
      shownFor = q;
      active = -1;
      box.removeAttribute("aria-activedescendant");
      list.textContent = "";
      suggestions.forEach(function (s, i) {
        var option = document.createElement("div");
        option.id = "q-suggestion-" + i;
        option.className = "suggestion-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "s-text";
        text.textContent = s.text;
        var kind = document.createElement("span");
        kind.className = "s-kind";
        kind.textContent = s.label;
        var count = document.createElement("span");
        count.className = "s-count";
        count.textContent = entries(s.count);
        option.appendChild(text);
        option.appendChild(kind);
        option.appendChild(count);
        // Keep the focus in the box when an option is pressed.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.appendChild(option);
      });
      if (items.length && document.activeElement === box) open();
      else close();
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      if (i < 0) {
        box.removeAttribute("aria-activedescendant");
        return;
      }
      options[i].setAttribute("aria-selected", "true");
      box.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({ block: "nearest" });
    }

    function choose(i) {
      var s = items[i];
      if (!s) return;
      box.value = s.q;
      close();
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    function ask() {
      var q = box.value.replace(/\s+/g, " ").trim();
      if (q.length < MIN_CHARS) {
        if (controller) controller.abort();
        render(q, []);
        return;
      }
      if (q === shownFor) {
        open();
        return;
      }
      if (controller) controller.abort();
      var mine = (controller = new AbortController());
      fetch(suggestionsUrl(q), { headers: { Accept: "application/json" }, signal: mine.signal, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (body) {
          if (mine !== controller) return;
          controller = null;
          render(q, body.suggestions || []);
        })
        .catch(function () {
          // No suggestions is no loss: the search itself still works.
          if (mine === controller) render(q, []);
        });
    }

    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DEBOUNCE_MS);
    });

    box.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        if (!expanded) {
          open();
          if (event.altKey) return;
        }
        var n = items.length;
        var next = event.key === "ArrowDown" ? (active + 1 < n ? active + 1 : -1)
          : (active < 0 ? n - 1 : active - 1);
        highlight(next);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(active);
        } else {
          close();
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault(); // the list closes; the box keeps what was typed
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    box.addEventListener("blur", function () { close(); });
    box.addEventListener("focus", function () {
      if (items.length && shownFor === box.value.replace(/\s+/g, " ").trim()) open();
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      if (controller) controller.abort();
      close();
    });
  });
})();
