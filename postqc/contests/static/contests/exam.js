// 模拟考试 attempt page (attached through data- attributes; no inline scripts: CSP).
// The server keeps the time and scores; this file only shows the clock, gives every answer a
// client id (a retry after a dropped connection resends the same id, so it is applied once)
// and submits the paper when the clock reaches zero. If the phone is gone, the server submits.
(function () {
  "use strict";
  var root = document.querySelector("[data-exam]");
  if (!root) return;
  var bar = root.querySelector("[data-countdown]");
  var clock = bar.querySelector("[data-clock]");
  var total = parseInt(root.getAttribute("data-total"), 10) || 0;
  var endAt = Date.now() + parseInt(bar.getAttribute("data-remaining"), 10) * 1000;
  var finishing = false;

  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function mmss(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = (h && m < 10 ? "0" : "") + m, ss = (r < 10 ? "0" : "") + r;
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  function isItem(el) { return el && el.hasAttribute && el.hasAttribute("data-exam-item"); }

  function savedMark(form, cls, text) {
    var mark = form.querySelector(".exam-saved");
    if (!mark) return;
    mark.className = "exam-saved " + cls;
    mark.textContent = text;
  }

  // The confirmation before 交卷 says how many questions are still unanswered.
  function updateConfirm() {
    var count = document.getElementById("answered-count");
    var left = total - (count ? parseInt(count.textContent, 10) || 0 : 0);
    var text = left > 0 ? root.getAttribute("data-confirm-unanswered").replace("{n}", left)
                        : root.getAttribute("data-confirm-all");
    root.querySelectorAll("[data-submit-form]").forEach(function (f) { f.setAttribute("data-confirm", text); });
  }

  // Every answer given gets a new client id; a retry resends the one it had.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!isItem(form)) return;
    var trigger = event.detail.triggeringEvent;
    if (!form.dataset.clientId || !trigger || trigger.type !== "retry") form.dataset.clientId = uuid4();
    event.detail.parameters.client_id = form.dataset.clientId;
    savedMark(form, "", root.getAttribute("data-text-saving"));
  });

  function retryLater(form) {
    var tries = (parseInt(form.dataset.tries, 10) || 0) + 1;
    form.dataset.tries = tries;
    savedMark(form, "retrying", root.getAttribute("data-text-retrying"));
    window.setTimeout(function () { window.htmx.trigger(form, "retry"); }, Math.min(15000, 1000 * Math.pow(2, tries - 1)));
  }

  document.addEventListener("htmx:sendError", function (event) {
    if (isItem(event.detail.elt)) retryLater(event.detail.elt);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (isItem(event.detail.elt) && (status === 0 || status >= 500 || status === 429)) retryLater(event.detail.elt);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (isItem(event.detail.elt) && event.detail.successful) event.detail.elt.dataset.tries = 0;
  });

  // Each saved answer brings the server's remaining seconds: the clock follows the server.
  document.addEventListener("htmx:afterSettle", function () {
    var server = document.getElementById("server-clock");
    if (server) {
      var serverEnd = Date.now() + parseInt(server.getAttribute("data-remaining"), 10) * 1000;
      if (Math.abs(serverEnd - endAt) > 2000) endAt = serverEnd;
    }
    updateConfirm();
  });

  function submitWhenQuiet(started) {
    var form = root.querySelector("[data-submit-form]");
    if (document.querySelector(".htmx-request") && Date.now() - started < 5000) {
      window.setTimeout(function () { submitWhenQuiet(started); }, 250);
      return;
    }
    form.submit();
  }

  function finish() {
    if (finishing) return;
    finishing = true;
    root.classList.add("over");
    bar.classList.add("over");
    clock.textContent = root.getAttribute("data-text-timeup");
    submitWhenQuiet(Date.now());
  }

  function tick() {
    var left = Math.max(0, Math.ceil((endAt - Date.now()) / 1000));
    if (left === 0) { finish(); return; }
    clock.textContent = mmss(left);
    bar.classList.toggle("late", left <= 60);
    window.setTimeout(tick, 1000 - ((endAt - Date.now()) % 1000 + 1000) % 1000 || 1000);
  }

  updateConfirm();
  tick();
})();
