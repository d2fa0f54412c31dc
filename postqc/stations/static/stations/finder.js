// The 邮驿站 finder: "nearest first" asks the browser for the visitor's position and reloads the
// list with ?lat=&lng= (the server measures the distances). Without this script, or when the
// visitor says no, the list stays by district.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) return;
  var status = document.querySelector("[data-locate-status]");
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    if (status) status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var params = new URLSearchParams(window.location.search);
      params.delete("district");
      params.set("lat", pos.coords.latitude.toFixed(5));
      params.set("lng", pos.coords.longitude.toFixed(5));
      window.location.search = params.toString();
    }, function () {
      button.disabled = false;
      if (status) status.textContent = button.getAttribute("data-error");
    }, {enableHighAccuracy: false, timeout: 10000, maximumAge: 300000});
  });
})();
