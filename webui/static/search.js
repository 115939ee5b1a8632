// Progressive enhancement for the search page: everything here also works without it,
// through the page's links and forms.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // A facet checkbox applies at once: go to the URL that toggles it.
    document.addEventListener("change", function (event) {
      var box = event.target;
      if (box.matches && box.matches(".facets input[type=checkbox]") && box.dataset.toggle) {
        window.location.assign(box.dataset.toggle);
      } else if (box.id === "sort") {
        box.form.submit();
      }
    });

    // On a narrow screen the filters fold behind a button.
    var toggle = document.querySelector(".filters-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var sidebar = toggle.closest(".sidebar");
        var open = sidebar.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  });
})();
