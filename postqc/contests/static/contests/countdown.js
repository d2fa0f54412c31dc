// Countdowns to a competition's opening (attached through data-opens-in; no inline scripts: CSP).
// The server renders the seconds left by its own clock, so a phone whose clock is wrong still
// counts down correctly; at zero the page reloads and the server says what is open.
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-opens-in]");
  if (!items.length) return;
  var loaded = Date.now();
  var dayText = document.documentElement.lang && document.documentElement.lang.indexOf("zh") !== 0 ? " d " : " 天 ";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function text(seconds) {
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var clock = pad(h) + ":" + pad(m) + ":" + pad(s);
    return d ? d + dayText + clock : clock;
  }

  function tick() {
    var gone = Math.floor((Date.now() - loaded) / 1000);
    var reload = false;
    items.forEach(function (el) {
      var left = parseInt(el.getAttribute("data-opens-in"), 10) - gone;
      if (left <= 0) {
        el.textContent = el.getAttribute("data-text-open") || "";
        reload = true;
      } else {
        (el.querySelector("[data-left]") || el).textContent = text(left);
      }
    });
    if (reload) { window.setTimeout(function () { window.location.reload(); }, 1500); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
