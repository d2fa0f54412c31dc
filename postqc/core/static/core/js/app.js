// Site-wide behaviour, attached through data- attributes (no inline scripts: CSP).
(function () {
  "use strict";
  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
  });
  // <form data-confirm="…">: ask before a destructive submit.
  document.addEventListener("submit", function (event) {
    var msg = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) event.preventDefault();
  });
  // <select data-autosubmit>: filter forms submit on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });
})();
