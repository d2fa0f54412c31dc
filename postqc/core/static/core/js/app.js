// Site-wide behaviour, attached through data- attributes (no inline scripts: CSP).
(function () {
  "use strict";
  // PostQC.uuid4(): a random (version 4) UUID, the id a page gives each answer or submission so the
  // server recognises a resend after a dropped connection. Page scripts load after this file.
  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16), i;
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(b);
    else for (i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = "";
    for (i = 0; i < 16; i++) h += (b[i] + 0x100).toString(16).slice(1);
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  window.PostQC = {uuid4: uuid4};
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
