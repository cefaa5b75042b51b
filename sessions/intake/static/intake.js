// The phone page's script. The page works without it: every form posts and
// the server answers with a fresh page. With it, answers and comments are
// sent in place (fetch to the JSON API), so the page keeps its scroll and
// focus and only the confirmation changes; and the page follows the room
// when the facilitator moves on.
(function () {
  "use strict";
  var body = document.body;
  var version = body.getAttribute("data-version");
  var pollUrl = body.getAttribute("data-poll");
  var pageUrl = body.getAttribute("data-page") || "/s";
  if (!version || !pollUrl || !window.fetch || !window.FormData) {
    return;
  }
  var interval = parseInt(body.getAttribute("data-poll-ms"), 10);
  if (!(interval >= 250)) {
    interval = 3000;
  }
  var edited = false;
  var pageStatus = document.getElementById("status");
  var pageProblem = document.getElementById("problem");
  var UNREACHABLE = "Could not reach the session just now. Check the wifi and try again; nothing you wrote is lost.";

  var CLOSED = "That question has closed, so this answer was not saved.";

  function drafted() {
    var boxes = document.querySelectorAll("textarea");
    for (var i = 0; i < boxes.length; i += 1) {
      if (boxes[i].value.trim()) {
        return true;
      }
    }
    return false;
  }

  function markEdited() {
    edited = true;
  }
  document.addEventListener("input", markEdited);
  document.addEventListener("change", markEdited);

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

  // Live regions are announced when their text changes. Saying the same
  // words twice (saving the same answer again) needs the text cleared first.
  function say(region, text) {
    if (!region) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  // Each form says how it went just below its button, where the person is looking;
  // what the page said when it was loaded is cleared so the two never disagree.
  function confirmed(form, text) {
    say(pageStatus, "");
    say(pageProblem, "");
    say(form.querySelector("[data-problem]"), "");
    say(form.querySelector("[data-status]") || pageStatus, text);
  }

  function failed(form, text) {
    say(pageStatus, "");
    say(form.querySelector("[data-status]"), "");
    say(form.querySelector("[data-problem]") || pageProblem, text);
  }

  function fields(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      data[key] = value;
    });
    return data;
  }

  function answered(form, data) {
    if (form.getAttribute("data-api") === "/api/comment") {
      var box = form.querySelector("textarea");
      if (box) {
        box.value = "";
      }
      confirmed(form, data.message || "Thanks — your comment has been added.");
      var again = form.querySelector("[data-support-again]");
      if (again) {
        again.hidden = false;
      }
    } else {
      confirmed(form, data.summary ? "Saved: " + data.summary : "Saved.");
    }
  }

  function send(form) {
    if (form.getAttribute("data-sending")) {
      return;
    }
    form.setAttribute("data-sending", "1");
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-api"), {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(fields(form))
    })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { ok: response.ok, status: response.status, data: data || {} };
          },
          function () {
            return { ok: false, status: response.status, data: {} };
          }
        );
      })
      .then(
        function (result) {
          if (result.ok) {
            answered(form, result.data);
            edited = drafted();
            return;
          }
          if (result.status === 409) {
            failed(form, CLOSED);
            showMoved();
            return;
          }
          failed(form, result.data.error || UNREACHABLE);
        },
        function () {
          failed(form, UNREACHABLE);
        }
      )
      .then(function () {
        form.removeAttribute("data-sending");
        form.removeAttribute("aria-busy");
      });
  }

  if (body.hasAttribute("data-in-place")) {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form && form.getAttribute && form.getAttribute("data-api")) {
        event.preventDefault();
        send(form);
      }
    });
  } else {
    document.addEventListener("submit", function () {
      edited = false;
    });
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
