// The phone page's script. The page works without it: every form posts and
// the server answers with a fresh page. With it, answers and comments are
// sent in place (fetch to the JSON API), so the page keeps its scroll and
// focus and only the confirmation changes; and the page follows the room
// when the facilitator moves on.
(function () {
  "use strict";
  var body = document.body;

  // A page brought back from the back/forward cache would show choices that
  // are no longer the ones on record: fetch it afresh instead.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  // The comment counter: the same words the server wrote, kept up to date,
  // and a refusal before sending rather than a silent cut.
  var box = document.querySelector("textarea[data-max]");
  var counter = document.getElementById("comment-count");
  function length(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").trim()).length;
  }
  function overBy() {
    return length(box.value) - parseInt(box.getAttribute("data-max"), 10);
  }
  function count() {
    var over = overBy();
    var words = box.getAttribute(over > 0 ? "data-over-words" : "data-count-words");
    counter.textContent = words
      .replace("{count}", String(length(box.value)))
      .replace("{over}", String(over))
      .replace("{max}", box.getAttribute("data-max"));
    counter.classList.toggle("over", over > 0);
    box.setAttribute("aria-invalid", over > 0 ? "true" : "false");
  }
  if (box && counter) {
    box.addEventListener("input", count);
    // On the form itself, so it runs before the page sends anything in place.
    box.form.addEventListener("submit", function (event) {
      if (overBy() > 0) {
        event.preventDefault();
        event.stopPropagation();
        count();
        box.focus();
      }
    });
    count();
  }
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
  var leaving = false;
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

  var editedField = null;

  function markEdited(event) {
    edited = true;
    if (event.target && event.target.form) {
      editedField = event.target;
    }
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

  // Said inside the form being filled in, not at the top of a long page.
  function showMoved() {
    var active = document.activeElement;
    var field = active && active.form ? active : editedField;
    // The phone page has one in each form; the console one for the whole page.
    var note = (field && field.form.querySelector(".moved")) || document.querySelector(".moved");
    if (!note) {
      return;
    }
    if (field && field.type === "radio") {
      // Right under the choice just touched: at double text size even one group of
      // choices is taller than the screen, and the rest of a long form more so.
      var choice = field.closest("label") || field;
      if (choice.nextElementSibling !== note) {
        choice.parentNode.insertBefore(note, choice.nextElementSibling);
      }
    }
    if (note.hidden) {
      var words = note.innerHTML;
      note.hidden = false;
      note.innerHTML = words; // a fresh change, so screen readers announce it
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
        if (counter) {
          count();
        }
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
      // The answer to this form is the next page: a change seen meanwhile must not replace it.
      leaving = true;
    });
  }

  function check(data) {
    if (leaving || !data || typeof data.version !== "string" || data.version === version) {
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
