// Keeps the phone page on the activity the room is on. The page works
// without this file; it only saves people from reloading by hand.
(function () {
  "use strict";
  var body = document.body;
  var version = body.getAttribute("data-version");
  var pollUrl = body.getAttribute("data-poll");
  var pageUrl = body.getAttribute("data-page") || "/s";
  if (!version || !pollUrl || !window.fetch) {
    return;
  }
  var interval = parseInt(body.getAttribute("data-poll-ms"), 10);
  if (!(interval >= 250)) {
    interval = 3000;
  }
  var edited = false;

  function markEdited() {
    edited = true;
  }
  document.addEventListener("input", markEdited);
  document.addEventListener("change", markEdited);
  document.addEventListener("submit", function () {
    edited = false;
  });

  function typing() {
    var el = document.activeElement;
    if (!el) {
      return false;
    }
    var tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && el.type === "text");
  }

  function showMoved() {
    var note = document.getElementById("moved");
    if (note) {
      note.hidden = false;
    }
  }

  function check(data) {
    if (!data || typeof data.version !== "string" || data.version === version) {
      return;
    }
    if (edited || typing()) {
      // Never take words or choices away from someone mid-answer.
      showMoved();
      return;
    }
    window.location.replace(pageUrl);
  }

  function poll() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(pollUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(check, function () {})
      .then(schedule, schedule);
  }

  function schedule() {
    window.setTimeout(poll, interval);
  }

  schedule();
})();
