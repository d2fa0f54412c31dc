// The questionnaire (form[data-sv]): a fresh submission id made here (the server's stays when this
// file does not run), a counter of what is answered, a nudge to the next question after a tap, a
// check that nothing required is left, and a resend after a dropped connection with the same id, so
// the server recognises the questionnaire instead of counting it twice.
(function () {
  "use strict";

  var uuid4 = window.PostQC.uuid4;

  function questions(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-sv-q]"));
  }

  function answered(q) {
    return !!q.querySelector("input:checked");
  }

  function count(form) {
    var qs = questions(form), done = 0;
    for (var i = 0; i < qs.length; i++) if (answered(qs[i])) done++;
    var out = form.querySelector("[data-sv-count]"), bar = form.querySelector("[data-sv-bar]");
    if (out) out.textContent = out.getAttribute("data-template").replace("{done}", done).replace("{total}", qs.length);
    if (bar) { bar.max = qs.length; bar.value = done; }
  }

  function missing(form) {
    return questions(form).filter(function (q) { return q.hasAttribute("data-required") && !answered(q); });
  }

  function arm(form) {
    if (form.svArmed) return;
    form.svArmed = true;
    form.querySelector("[data-sv-id]").value = uuid4();
    var sticky = form.querySelector("[data-sv-progress]");
    if (sticky) sticky.hidden = false;
    count(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-sv]");
    for (var i = 0; i < forms.length; i++) arm(forms[i]);
  });

  document.addEventListener("change", function (e) {
    var form = e.target.form;
    if (!form || !form.hasAttribute("data-sv")) return;
    var q = e.target.closest("[data-sv-q]");
    if (q) q.classList.remove("sv-missing");
    count(form);
    var note = form.querySelector("[data-sv-missing]");
    if (note && !note.hidden) {
      var left = missing(form).length;
      note.textContent = note.getAttribute("data-template").replace("{n}", left);
      note.hidden = left === 0;
    }
    // A tapped rating brings the next question up when it is below the thumb's reach.
    if (q && e.target.type === "radio") {
      var qs = questions(form), next = qs[qs.indexOf(q) + 1];
      if (next && !answered(next)) {
        var top = next.getBoundingClientRect().top;
        if (top > window.innerHeight * 0.62) window.scrollBy({ top: top - window.innerHeight * 0.3, behavior: "smooth" });
      }
    }
  });

  function showRetry(form, on) {
    var retry = form.querySelector("[data-sv-retry]");
    if (retry) retry.hidden = !on;
    var button = form.querySelector("[data-sv-submit]");
    if (button) button.disabled = false;
  }

  function send(form) {
    var button = form.querySelector("[data-sv-submit]");
    if (button) button.disabled = true;
    showRetry(form, false);
    if (!window.fetch || !window.FormData) { form.submit(); return; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        // Recorded (or recognised as already recorded): the server redirected to its outcome page.
        if (response.redirected) { window.location.replace(response.url); return; }
        // Anything else (a refusal with its reasons): let the browser post the form itself and
        // show the server's page; the id is the same, so nothing is counted twice.
        form.svNative = true;
        form.submit();
      })
      .catch(function () { showRetry(form, true); });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-sv") || form.svNative) return;
    e.preventDefault();
    var left = missing(form), note = form.querySelector("[data-sv-missing]");
    for (var i = 0; i < left.length; i++) left[i].classList.add("sv-missing");
    if (left.length) {
      if (note) {
        note.textContent = note.getAttribute("data-template").replace("{n}", left.length);
        note.hidden = false;
      }
      left[0].scrollIntoView({ behavior: "smooth", block: "start" });
      return;
    }
    if (note) note.hidden = true;
    send(form);
  });

  document.addEventListener("click", function (e) {
    var resend = e.target.closest && e.target.closest("[data-sv-resend]");
    if (resend) send(resend.closest("form[data-sv]"));
  });

  // Outlet search on the interviewer's page: filter the list as one types.
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches("[data-sv-filter]")) return;
    var needle = e.target.value.trim().toLowerCase();
    var rows = document.querySelectorAll(e.target.getAttribute("data-sv-filter")), shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var hit = !needle || rows[i].getAttribute("data-search").toLowerCase().indexOf(needle) !== -1;
      rows[i].hidden = !hit;
      if (hit) shown++;
    }
    var none = document.querySelector("[data-sv-none]");
    if (none) none.hidden = shown > 0;
  });
})();
