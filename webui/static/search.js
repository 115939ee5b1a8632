// Progressive enhancement for the search page. Everything here also works without it, through
// the page's links and forms. With it, results and filters update in place as the user types
// and clicks: the script asks the server for the same URL with `X-Requested-With: fetch`, gets
// the page's filters and results rendered by the same templates, swaps them in and moves the
// address bar along (history.pushState), so Back, Forward, bookmarks and reloads keep working.
// It makes no URL of its own: it submits the page's forms as the browser would, follows the
// page's links, and shows the address the server answers with, so the server alone spells a state.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var DEBOUNCE_MS = 250;
  var CACHE_SIZE = 30;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var filters = document.getElementById("filters");
    var main = document.getElementById("main");
    var form = document.getElementById("search-form");
    var box = document.getElementById("q");
    if (!filters || !main || !form || !box || !document.getElementById("form-state")) return;
    var enhanced = !!(window.fetch && window.AbortController && window.history && history.pushState);
    var searchPath = new URL(form.action, location.href).pathname;

    var current = location.href; // the state the page shows
    var target = location.href; // the state asked for last (shown, or on its way)
    var controller = null;
    var timer = null;
    var typingEntry = false; // the history entry on top was made by typing: typing replaces it
    var cache = new Map(); // URL -> the page parts it showed, for Back and Forward
    var asked = null; // the last URL the search box asked for, so one query is fetched once
    var formState = document.getElementById("form-state");
    // Enabled only while the query is typed: the server then also completes its last word.
    var prefixInput = document.getElementById("q-prefix");
    var searching = document.getElementById("searching");
    var shownPrefix = false; // the results shown were asked for while typing (prefix=1)
    var SLOW_MS = 150; // an answer slower than this shows "Searching…"
    var shownQ = box.defaultValue; // the query the page shows results for (the box may be ahead)

    syncToggle();
    facetFilters("");

    // URLs --------------------------------------------------------------------------------

    // What submitting form `f` asks for, as the browser would submit it (GET: its action and
    // fields, in the order the server rendered them); `q` replaced when given.
    function submitted(f, q) {
      var data = new FormData(f);
      if (q !== undefined) data.set("q", q);
      var url = new URL(f.getAttribute("action") || searchPath, location.href);
      url.search = new URLSearchParams(data).toString();
      return url.href;
    }

    function normalised(q) {
      return q.split(/\s+/).filter(Boolean).join(" ");
    }

    function isSearchPage(url) {
      var u = new URL(url, location.href);
      return u.origin === location.origin && u.pathname === searchPath;
    }

    function withoutHash(url) {
      return new URL(url, location.href).href.split("#")[0];
    }

    // Fetching and swapping ---------------------------------------------------------------

    function capture() {
      return {
        title: document.title, url: current, q: shownQ, formState: formState.innerHTML,
        filters: filters.innerHTML, main: main.innerHTML
      };
    }

    function remember(url, parts) {
      url = withoutHash(url);
      cache.delete(url);
      cache.set(url, parts);
      while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value);
    }

    function parse(html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      var root = template.content.firstElementChild;
      var f = root && root.querySelector("[data-part=filters]");
      var m = root && root.querySelector("[data-part=main]");
      if (!f || !m) throw new Error("not a page fragment");
      var state = root.querySelector("[data-part=form-state]");
      return {
        title: root.getAttribute("data-title") || document.title,
        url: root.getAttribute("data-url"),
        q: root.getAttribute("data-q") || "",
        formState: state ? state.innerHTML : "",
        filters: f.innerHTML,
        main: m.innerHTML
      };
    }

    // Show `url`. how: "push" or "replace" a history entry, or "pop" (Back/Forward got there).
    function go(url, how, options) {
      options = options || {};
      url = new URL(url, location.href).href;
      target = url;
      if (!options.typing) asked = null;
      if (!enhanced) {
        location.assign(url);
        return;
      }
      if (controller) controller.abort();
      var mine = (controller = new AbortController());
      var cached = how === "pop" ? cache.get(withoutHash(url)) : null;
      main.setAttribute("aria-busy", "true");
      var slow = setTimeout(function () { if (searching && mine === controller) searching.hidden = false; }, SLOW_MS);
      var settled = function () {
        clearTimeout(slow);
        if (searching && (mine === controller || controller === null)) searching.hidden = true;
      };
      var parts = cached
        ? Promise.resolve(cached)
        : fetch(url, { headers: { "X-Requested-With": "fetch" }, signal: mine.signal, credentials: "same-origin" })
            .then(function (response) {
              var type = response.headers.get("Content-Type") || "";
              if (!response.ok || type.indexOf("text/html") < 0) throw new Error("HTTP " + response.status);
              return response.text();
            })
            .then(parse);
      parts.then(function (state) {
        if (mine !== controller) return; // a later request took over
        controller = null;
        settled();
        if (how === "push" || how === "replace") {
          // Remember where the reader was on the page being left, for Back.
          history.replaceState({ search: true, scroll: window.scrollY }, "", current);
        }
        // Results of a word still being typed are not what the address (whole words) shows.
        if (!shownPrefix) remember(current, capture());
        swap(state, options);
        // The address as the server spells the state it answered (Back/Forward keep their own).
        current = how === "pop" ? url : new URL(state.url || url, location.href).href;
        // The address leaves prefix=1 out, so that a bookmark searches whole words; the state
        // shown is still the one asked for, and Enter then asks for whole words.
        shownPrefix = !!options.prefix;
        target = shownPrefix ? url : current;
        if (how === "push") history.pushState({ search: true }, "", current);
        else if (how === "replace") history.replaceState({ search: true }, "", current);
        afterSwap(state, how, options);
      }).catch(function (error) {
        settled();
        if ((error && error.name === "AbortError") || mine !== controller) return;
        // The server answered with a whole page (an error page) or not at all: let the browser show it.
        if (how === "pop") location.reload();
        else location.assign(url);
      });
    }

    function swap(state, options) {
      var focus = focusKey();
      var showAll = !!filters.querySelector("details.show-all[open]");
      var narrowed = filters.querySelector(".facet-filter");
      document.title = state.title;
      filters.innerHTML = state.filters;
      swapMain(state.main);
      followFeed(state.title);
      var details = filters.querySelector("details.show-all");
      if (details && showAll) details.open = true;
      facetFilters(narrowed ? narrowed.value : "");
      syncToggle();
      main.removeAttribute("aria-busy");
      restoreFocus(focus);
    }

    // The head's feed link follows the search shown, as "Follow this search" does.
    function followFeed(title) {
      var follow = main.querySelector(".take-away a.follow");
      var feed = document.querySelector('head link[rel="alternate"][type="application/atom+xml"]');
      if (!follow || !feed) return;
      feed.setAttribute("href", follow.getAttribute("href"));
      feed.setAttribute("title", "New entries: " + title);
    }

    // The count is a live region: it stays in the page and only its words change, so screen
    // readers announce the new count. Everything around it is replaced.
    function swapMain(html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var count = document.getElementById("result-count");
      var bar = count && count.parentNode;
      var newCount = holder.querySelector("#result-count");
      var newBar = newCount && newCount.parentNode;
      if (!count || !newCount || bar.parentNode !== main || newBar.parentNode !== holder) {
        main.innerHTML = html;
        return;
      }
      Array.prototype.slice.call(bar.childNodes).forEach(function (n) { if (n !== count) bar.removeChild(n); });
      var after = false;
      Array.prototype.slice.call(newBar.childNodes).forEach(function (n) {
        if (n === newCount) { after = true; return; }
        if (after) bar.appendChild(n);
        else bar.insertBefore(n, count);
      });
      Array.prototype.slice.call(main.childNodes).forEach(function (n) { if (n !== bar) main.removeChild(n); });
      after = false;
      Array.prototype.slice.call(holder.childNodes).forEach(function (n) {
        if (n === newBar) { after = true; return; }
        if (after) main.appendChild(n);
        else main.insertBefore(n, bar);
      });
      if (count.textContent !== newCount.textContent) count.textContent = newCount.textContent;
    }

    function afterSwap(state, how, options) {
      shownQ = state.q;
      if (!options.typing) box.value = state.q;
      // The search form carries the filters and the sort, as the server rendered them.
      formState.innerHTML = state.formState;
      if (how === "pop") {
        var state = history.state;
        window.scrollTo(0, state && typeof state.scroll === "number" ? state.scroll : 0);
      } else if (options.toResults) {
        var top = main.getBoundingClientRect().top;
        if (top < 0) main.scrollIntoView({ block: "start" });
      }
    }

    // Focus stays where the user is: on the same checkbox or control after the swap, or on
    // the results when the link followed is gone.
    function focusKey() {
      var el = document.activeElement;
      if (!el || !(filters.contains(el) || main.contains(el))) return null;
      if (el.matches("input[type=checkbox]")) {
        return "input[type=checkbox][name=\"" + CSS.escape(el.name) + "\"][value=\"" + CSS.escape(el.value) + "\"]";
      }
      if (el.id) return "#" + CSS.escape(el.id);
      if (el.matches("details.show-all summary")) return "details.show-all summary";
      if (el.matches(".filters-toggle")) return ".filters-toggle";
      if (el.matches(".facet-filter")) return ".facet-filter";
      return "";
    }

    function restoreFocus(key) {
      if (key === null) return;
      var el = key ? document.querySelector(key) : null;
      if (el) el.focus();
      else main.focus({ preventScroll: true });
    }

    // Long facet lists: a box that narrows the list as one types (counts are the server's) --

    function facetFilters(text) {
      Array.prototype.forEach.call(filters.querySelectorAll(".facet-filter"), function (input) {
        input.hidden = false;
        if (text) input.value = text;
        narrow(input);
      });
    }

    function narrow(input) {
      var fieldset = input.closest(".facet");
      var wanted = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(fieldset.querySelectorAll("ul > li"), function (li) {
        var name = li.querySelector(".value");
        var text = name && name.firstChild ? name.firstChild.nodeValue : li.textContent;
        var match = !wanted || text.toLowerCase().indexOf(wanted) >= 0;
        li.hidden = !match;
        if (match) shown++;
      });
      fieldset.classList.toggle("filtering", !!wanted);
      var none = fieldset.querySelector(".facet-filter-none");
      if (none) {
        none.hidden = !(wanted && !shown);
        none.textContent = wanted && !shown ? "None matches “" + input.value.trim() + "”." : "";
      }
    }

    document.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches(".facet-filter")) narrow(event.target);
    });

    document.addEventListener("keydown", function (event) {
      // Enter in the list's filter box narrows; it does not submit the filters.
      if (event.key === "Enter" && event.target.matches && event.target.matches(".facet-filter")) event.preventDefault();
    });

    // Narrow screens: the filters fold behind a button -------------------------------------

    function syncToggle() {
      var toggle = filters.querySelector(".filters-toggle");
      if (!toggle) return;
      toggle.hidden = false;
      toggle.setAttribute("aria-expanded", filters.classList.contains("open") ? "true" : "false");
    }

    function setOpen(open) {
      filters.classList.toggle("open", open);
      syncToggle();
    }

    // Events ------------------------------------------------------------------------------

    // typing: the query is still being typed, so its last word is completed (prefix=1).
    function search(how, typing) {
      if (prefixInput) prefixInput.disabled = !typing;
      var url = submitted(form, normalised(box.value));
      if (prefixInput) prefixInput.disabled = true;
      if (url === asked || url === target) return false;
      asked = url;
      go(url, how, { typing: true, prefix: !!typing && !!prefixInput });
      return true;
    }

    box.addEventListener("input", function () {
      if (!enhanced) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        if (search(typingEntry ? "replace" : "push", true)) typingEntry = true;
      }, DEBOUNCE_MS);
    });

    box.addEventListener("blur", function () {
      if (!timer) typingEntry = false;
    });

    document.addEventListener("submit", function (event) {
      var f = event.target;
      if (!enhanced || !f.matches || !isSearchPage(f.action) || (f.method || "get").toLowerCase() !== "get") return;
      event.preventDefault();
      clearTimeout(timer);
      timer = null;
      if (f === form) {
        search(typingEntry ? "replace" : "push");
        typingEntry = false;
        return;
      }
      typingEntry = false;
      go(submitted(f), "push");
    });

    document.addEventListener("change", function (event) {
      var el = event.target;
      // The whole filter form, so that quick clicks all count while an answer is on its way.
      if (el.matches && el.matches(".facets input[type=checkbox]")) {
        typingEntry = false;
        go(enhanced ? submitted(el.form) : el.getAttribute("data-toggle"), "push");
      } else if (el.id === "sort" && main.contains(el)) {
        typingEntry = false;
        go(submitted(el.form), "push");
      }
    });

    document.addEventListener("click", function (event) {
      var el = event.target;
      if (!el.closest) return;
      if (el.closest(".filters-toggle")) {
        setOpen(!filters.classList.contains("open"));
        return;
      }
      if (el.closest(".facets-done")) {
        setOpen(false);
        var toggle = filters.querySelector(".filters-toggle");
        if (toggle) toggle.focus();
        main.scrollIntoView({ block: "start" });
        return;
      }
      var link = el.closest("a[href]");
      if (!enhanced || !link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      if ((link.target && link.target !== "_self") || link.hasAttribute("download")) return;
      if (!isSearchPage(link.href)) return;
      if (link.hash && link.href.split("#")[0] === location.href.split("#")[0]) return; // in-page jump
      event.preventDefault();
      clearTimeout(timer);
      timer = null;
      typingEntry = false;
      go(link.href, "push", { toResults: !!link.closest(".pager") });
    });

    window.addEventListener("popstate", function () {
      if (!enhanced || !isSearchPage(location.href)) return;
      if (withoutHash(location.href) === withoutHash(current) && target === current) return; // only the #fragment moved
      clearTimeout(timer);
      timer = null;
      typingEntry = false;
      go(location.href, "pop");
    });

    if (enhanced) {
      history.replaceState({ search: true, scroll: window.scrollY }, "", location.href);
    }
  });
})();
