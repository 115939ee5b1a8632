// The Cite dialog and copy buttons. Without this script every Cite link opens the plain cite
// page, which holds the same references and downloads; with it, that page's part opens in a
// <dialog> over the page (results stay where they were), and "Copy" puts the APA reference on
// the clipboard. Listeners sit on the document, so results swapped in by search.js work too.
(function () {
  "use strict";

  var dialog = null;
  var opener = null; // the link that opened the dialog, to take focus back to

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function enable(root) {
    root.querySelectorAll("button.copy, button.print-page").forEach(function (button) {
      button.hidden = false;
    });
  }

  function makeDialog() {
    var d = document.createElement("dialog");
    d.className = "cite-dialog";
    d.setAttribute("aria-labelledby", "cite-dialog-h");
    var head = document.createElement("div");
    head.className = "dialog-head";
    var h = document.createElement("h2");
    h.id = "cite-dialog-h";
    h.textContent = "Cite";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dialog-close";
    close.textContent = "Close";
    head.append(h, close);
    var body = document.createElement("div");
    body.className = "dialog-body";
    d.append(head, body);
    d.addEventListener("close", function () {
      if (opener) opener.focus();
    });
    document.body.appendChild(d);
    return d;
  }

  function openCite(link) {
    fetch(link.href, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("cite page " + response.status);
        return response.text();
      })
      .then(function (html) {
        dialog = dialog || makeDialog();
        var body = dialog.querySelector(".dialog-body");
        body.innerHTML = html; // the server's own escaped template, same origin
        var part = body.querySelector(".cite-body");
        dialog.querySelector("#cite-dialog-h").textContent =
          "Cite: " + ((part && part.getAttribute("data-title")) || "this entry");
        enable(body);
        opener = link;
        dialog.showModal();
        var first = body.querySelector("button.copy");
        if (first) first.focus();
      })
      .catch(function () {
        window.location.href = link.href; // the plain page always works
      });
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copied");
    var text = source.getAttribute("data-text") || source.textContent;
    var say = function (message) {
      if (status) status.textContent = message;
    };
    if (!navigator.clipboard) {
      selectText(source);
      say("Selected: press Ctrl+C (⌘C) to copy.");
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () { say("Copied."); },
      function () {
        selectText(source);
        say("Selected: press Ctrl+C (⌘C) to copy.");
      }
    );
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var link = target.closest("a.cite-link");
    if (link && window.fetch && typeof HTMLDialogElement === "function" && event.button === 0 &&
        !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      openCite(link);
      return;
    }
    var button = target.closest("button.copy");
    if (button) {
      copy(button);
      return;
    }
    if (target.closest("button.dialog-close") && dialog) {
      dialog.close();
      return;
    }
    if (target.closest("button.print-page")) window.print();
  });

  ready(function () {
    enable(document);
  });
})();
