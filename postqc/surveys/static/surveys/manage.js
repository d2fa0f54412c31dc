// Survey manager pages: <button data-print> prints the page (the report, the posters).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();
