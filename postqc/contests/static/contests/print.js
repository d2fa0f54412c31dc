// <button data-print>: print the page (the certificates' own print CSS lays out A4 landscape pages).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });
})();
