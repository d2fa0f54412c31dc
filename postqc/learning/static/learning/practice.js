// Practice screens (form[data-pq]): each question on screen gets a fresh answer id and starts a clock;
// the time to the tap goes with the answer; an answer lost to a dropped connection is resent with the
// same id, so the server recognises it instead of counting it twice. Without this file (or htmx) the
// form still posts as a plain form with the id the server put in it.
(function () {
  "use strict";

  var uuid4 = window.PostQC.uuid4;

  function isPractice(el) {
    return el && el.matches && el.matches("form[data-pq]");
  }

  function syncChoices(form) {
    var boxes = form.querySelectorAll("input[type=checkbox][name=response]"), any = false;
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].parentNode.classList.toggle("chosen", boxes[i].checked);
      any = any || boxes[i].checked;
    }
    var submit = form.querySelector("[data-pq-submit]");
    if (submit) submit.disabled = !any;
  }

  function arm(root) {
    var forms = isPractice(root) ? [root] : (root.querySelectorAll ? root.querySelectorAll("form[data-pq]") : []);
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (form.pqStart) continue;
      form.pqStart = Date.now();
      form.querySelector("[data-pq-id]").value = uuid4();
      syncChoices(form);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { arm(document); });
  document.addEventListener("htmx:load", function (e) { arm(e.detail.elt); });

  document.addEventListener("change", function (e) {
    var form = e.target.form;
    if (isPractice(form)) syncChoices(form);
  });

  // Capture phase: runs before htmx sends the form.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!isPractice(form)) return;
    if (form.getAttribute("data-type") === "multiple" && !form.querySelector("input[name=response]:checked")) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    var ms = form.querySelector("[data-pq-ms]");
    if (!ms.value && form.pqStart) ms.value = String(Date.now() - form.pqStart);
    form.pqLast = e.submitter || null;
    if (e.submitter && e.submitter.classList.contains("pq-opt")) e.submitter.classList.add("chosen");
    form.querySelector("[data-pq-retry]").hidden = true;
  }, true);

  function lost(e) {
    var form = e.detail.elt;
    if (isPractice(form)) form.querySelector("[data-pq-retry]").hidden = false;
  }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);
  document.addEventListener("htmx:responseError", lost);

  // A malformed answer (422) comes back as the question with the reason: show it. A request that
  // was redirected (the session expired: sign-in page) reloads the page instead of landing in the card.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var url = e.detail.xhr.responseURL || "", config = e.detail.requestConfig;
    if (url && config && url.indexOf(config.path) === -1) {
      e.detail.shouldSwap = false;
      window.location.reload();
    } else if (e.detail.xhr.status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "pq") window.scrollTo(0, 0);
  });

  // 重新提交: the same button (so the same choice) and the same id.
  document.addEventListener("click", function (e) {
    var resend = e.target.closest && e.target.closest("[data-pq-resend]");
    if (!resend) return;
    var form = resend.closest("form[data-pq]");
    if (form.pqLast) form.pqLast.click();
    else if (form.requestSubmit) form.requestSubmit();
  });
})();
