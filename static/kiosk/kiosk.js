/* Kiosk screen behaviour: follow the terminal (long poll), idle prompt, text size, help, demo panel.
   Plain JS, no build step; no inline scripts (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var page = body.dataset.page;

  var leaving = false;
  function leave(url) {  /* navigate once: the idle timer and the terminal poll may both want to */
    if (!leaving) { leaving = true; window.location.assign(url); }
  }

  function post(url, headers) {
    return fetch(url, { method: "POST", headers: headers || {}, credentials: "same-origin" });
  }

  /* Text size: a per-session preference, wiped with the session's storage at the end. */
  var sizeButton = document.getElementById("text-size");
  function applySize(large) {
    document.documentElement.classList.toggle("large", large);
    sizeButton.setAttribute("aria-pressed", large ? "true" : "false");
  }
  applySize(sessionStorage.getItem("large") === "1");
  sizeButton.addEventListener("click", function () {
    var large = !document.documentElement.classList.contains("large");
    sessionStorage.setItem("large", large ? "1" : "0");
    applySize(large);
  });

  var help = document.getElementById("help");
  var helpButton = document.getElementById("help-button");
  function showHelp(open) {
    help.hidden = !open;
    helpButton.setAttribute("aria-expanded", open ? "true" : "false");
  }
  helpButton.addEventListener("click", function () { showHelp(help.hidden); });
  document.getElementById("help-close").addEventListener("click", function () { showHelp(false); });

  /* Follow the terminal's card session. */
  function follow(state) {
    if (page === "attract") {
      body.dataset.state = state.state;
      if (state.state === "error") {
        document.getElementById("error-message").textContent = state.message;
        document.getElementById("error-advice").textContent = state.advice;
      }
      if (state.state === "ready") { leave("/session/open"); return false; }
    } else if (state.state !== "ready") {
      leave("/bye");
      return false;
    }
    return true;
  }
  function poll(seq) {
    fetch("/terminal/state?since=" + encodeURIComponent(seq), { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (state) {
        if (state.seq === seq || follow(state)) { poll(state.seq); }
      })
      .catch(function () { setTimeout(function () { poll(seq); }, 1000); });
  }
  if (page === "attract") {
    fetch("/terminal/state", { cache: "no-store" }).then(function (r) { return r.json(); })
      .then(function (state) { if (follow(state)) { poll(state.seq); } })
      .catch(function () { poll(-1); });
  } else {
    poll(-1);
  }

  /* Idle: ask "还在吗？" after idle-seconds without a touch; end the session if nobody answers. */
  if (page === "person") {
    var idleSeconds = parseInt(body.dataset.idleSeconds, 10) || 90;
    var warnSeconds = parseInt(body.dataset.idleWarningSeconds, 10) || 20;
    var dialog = document.getElementById("idle-dialog");
    var count = document.getElementById("idle-count");
    var idleTimer = null, countdown = null, left = 0;
    var restart = function () {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(warn, idleSeconds * 1000);
    };
    var warn = function () {
      left = warnSeconds;
      count.textContent = left;
      dialog.hidden = false;
      document.getElementById("idle-continue").focus();
      countdown = setInterval(function () {
        left -= 1;
        count.textContent = left;
        if (left <= 0) {
          clearInterval(countdown);
          post("/session/end").finally(function () { leave("/bye"); });
        }
      }, 1000);
    };
    document.getElementById("idle-continue").addEventListener("click", function () {
      clearInterval(countdown);
      dialog.hidden = true;
      restart();
    });
    ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
      window.addEventListener(name, function () { if (dialog.hidden) { restart(); } }, { passive: true });
    });
    restart();
  }

  /* On-screen keypad for the phone number: no system keyboard on a kiosk. */
  document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.keypadFor);
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = input.value;
      if (key.dataset.key === "back") { value = value.slice(0, -1); }
      else if (key.dataset.key === "clear") { value = ""; }
      else if (value.length < 12) { value += key.dataset.key; }
      input.value = value;
    });
  });

  /* Demo panel: place or take a virtual card. */
  document.querySelectorAll("[data-demo-place]").forEach(function (button) {
    button.addEventListener("click", function () {
      body.dataset.state = "reading";
      post("/demo/place/" + button.dataset.demoPlace, { "X-Kiosk-Demo": "1" });
    });
  });
  document.querySelectorAll("[data-demo-take]").forEach(function (button) {
    button.addEventListener("click", function () { post("/demo/take", { "X-Kiosk-Demo": "1" }); });
  });
})();
