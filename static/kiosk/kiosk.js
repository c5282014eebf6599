/* Kiosk screen behaviour: follow the terminal (long poll), the voice, the keypad, idle prompt, text size,
   help, demo panel. Plain JS, no build step; no inline scripts (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var page = body.dataset.page;
  var dialog = document.getElementById("idle-dialog");

  var leaving = false;
  function leave(url) {  /* navigate once: the idle timer and the terminal poll may both want to */
    if (!leaving) { leaving = true; window.location.assign(url); }
  }
  /* A form on its way (结束查询, a complaint step) is already a navigation: the terminal poll must not
     start a second one that cuts it off. */
  document.addEventListener("submit", function () { leaving = true; });

  function post(url, headers) {
    return fetch(url, { method: "POST", headers: headers || {}, credentials: "same-origin" });
  }

  /* Per-session settings (text size, voice speed, volume, audio-only) live in sessionStorage; the attract
     screen starts every villager afresh, so nothing carries over to the next person. */
  if (page === "attract") { sessionStorage.clear(); }

  /* Display settings, in the same place on every screen and reset with the session: three text
     sizes (28, 40 and 48 px body text) and a high-contrast theme (light on dark). */
  var SIZES = ["", "large", "larger"];
  var sizeButton = document.getElementById("text-size");
  var size = Math.max(0, SIZES.indexOf(sessionStorage.getItem("size") || ""));
  function applySize() {
    document.documentElement.classList.remove("large", "larger");
    if (SIZES[size]) { document.documentElement.classList.add(SIZES[size]); }
    if (SIZES[size] === "larger") { document.documentElement.classList.add("large"); }  /* larger is large, and more */
    sizeButton.setAttribute("aria-pressed", size ? "true" : "false");
    sizeButton.dataset.size = String(size);
  }
  applySize();
  sizeButton.addEventListener("click", function () {
    size = (size + 1) % SIZES.length;
    sessionStorage.setItem("size", SIZES[size]);
    applySize();
  });
  var themeButton = document.getElementById("theme");
  var contrast = sessionStorage.getItem("theme") === "contrast";
  function applyTheme() {
    document.documentElement.classList.toggle("contrast", contrast);
    themeButton.setAttribute("aria-pressed", contrast ? "true" : "false");
  }
  applyTheme();
  themeButton.addEventListener("click", function () {
    contrast = !contrast;
    sessionStorage.setItem("theme", contrast ? "contrast" : "");
    applyTheme();
  });

  /* The voice: what the current screen says, from the server, on the channel in use (the open speaker
     hears neutral prompts only; a headset hears the person's figures). Every utterance is logged in
     window.mingbaiVoice.log so a test can hear what was said without a sound card. */
  var ATTRACT_REPEAT_MS = 45000, TAKE_CARD_REPEAT_MS = 6000;
  var voice = {
    audio: new Audio(),
    last: "",
    log: [],
    channel: null,
    slow: sessionStorage.getItem("slow") === "1",
    volume: parseFloat(sessionStorage.getItem("volume") || "0.8"),
    repeatTimer: null,
    speak: function (query) {
      voice.last = query || "";
      var url = "/speech/audio?" + (query ? query + "&" : "") + (voice.slow ? "slow=1&" : "") + "t=" + Date.now();
      voice.audio.pause();
      voice.audio.src = url;
      voice.audio.volume = voice.volume;
      var entry = { query: voice.last, at: Date.now(), asked: performance.now(), state: body.dataset.state, slow: voice.slow };
      voice.log.push(entry);
      voice.audio.addEventListener("loadedmetadata", function () { entry.heard = performance.now(); }, { once: true });
      var playing = voice.audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* no sound device: the screen still shows it */ }); }
    },
    repeat: function () { voice.speak(voice.last); },
    stop: function () {
      clearInterval(voice.repeatTimer);
      voice.repeatTimer = null;
      voice.audio.pause();
      voice.log.push({ stopped: true, at: Date.now(), state: body.dataset.state });
    },
    every: function (ms, query) {  /* say it now and again every `ms` until the screen changes */
      clearInterval(voice.repeatTimer);
      voice.speak(query);
      voice.repeatTimer = setInterval(function () { voice.speak(query); }, ms);
    }
  };
  window.mingbaiVoice = voice;
  function speakScreen() {
    var state = body.dataset.state;
    if (page === "attract" && state === "idle") { voice.every(ATTRACT_REPEAT_MS, ""); }
    else if (page === "attract" && state === "card_left") { voice.every(TAKE_CARD_REPEAT_MS, ""); }
    else if (page === "attract" && state === "ready") { voice.stop(); }
    else { clearInterval(voice.repeatTimer); voice.speak(body.dataset.speech || ""); }
  }
  /* Plugging a headset in switches to voice mode (the screen is said again, with the figures);
     pulling it out silences at once, so nothing private goes on to the open speaker. */
  function watchChannel() {
    fetch("/speech/channel", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (voice.channel !== null && answer.channel !== voice.channel) {
          if (answer.channel === "speaker") { voice.stop(); }
          voice.channel = answer.channel;
          body.dataset.channel = answer.channel;
          speakScreen();
        } else {
          voice.channel = answer.channel;
          body.dataset.channel = answer.channel;
        }
        window.dispatchEvent(new Event("mingbai:channel"));
      })
      .catch(function () {})
      .finally(function () { setTimeout(watchChannel, 500); });
  }
  watchChannel();
  var repeatButton = document.getElementById("voice-repeat");
  if (repeatButton) { repeatButton.addEventListener("click", function () { voice.repeat(); }); }
  var slowButton = document.getElementById("voice-slow");
  function applySlow() { if (slowButton) { slowButton.setAttribute("aria-pressed", voice.slow ? "true" : "false"); } }
  applySlow();
  if (slowButton) {
    slowButton.addEventListener("click", function () {
      voice.slow = !voice.slow;
      sessionStorage.setItem("slow", voice.slow ? "1" : "0");
      applySlow();
      voice.repeat();
    });
  }

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
    if (page === "public") {  /* 村务公开 needs no card: a card placed (or taken) meanwhile goes back home */
      if (state.state !== body.dataset.state) { leave("/"); return false; }
      return true;
    }
    if (page === "staff-lookup") {  /* typing a number with no card there: a card placed meanwhile wins */
      if (state.state !== "idle") { leave("/"); return false; }
      return true;
    }
    if (page === "attract") {
      var changed = body.dataset.state !== state.state || !voice.log.length;
      body.dataset.state = state.state;
      if (changed) { speakScreen(); }
      if (state.state === "error") {
        document.getElementById("error-message").textContent = state.message;
        document.getElementById("error-advice").textContent = state.advice;
      }
      if (state.state === "confirm") {
        document.getElementById("confirm-name").textContent = state.message;
        document.getElementById("confirm-advice").textContent = state.advice;
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
    speakScreen();
  }

  /* 村务公开 left open with nobody touching it goes back to the attract screen (no session to end). */
  if (page === "public") {
    var publicIdle = (parseInt(body.dataset.idleSeconds, 10) || 90) * 1000;
    var publicTimer = setTimeout(function () { leave("/"); }, publicIdle);
    ["pointerdown", "keydown"].forEach(function (kind) {
      document.addEventListener(kind, function () {
        clearTimeout(publicTimer);
        publicTimer = setTimeout(function () { leave("/"); }, publicIdle);
      });
    });
  }

  /* Idle: ask "还在吗？" after idle-seconds without a touch; end the session if nobody answers. */
  if (page === "person") {
    var idleSeconds = parseInt(body.dataset.idleSeconds, 10) || 90;
    var warnSeconds = parseInt(body.dataset.idleWarningSeconds, 10) || 20;
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
      voice.speak("prompt=still_there&seconds=" + left);
      countdown = setInterval(function () {
        left -= 1;
        count.textContent = left;
        if (left === 10) { voice.speak("prompt=still_there&seconds=" + left); }
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
      voice.speak("");
    });
    ["pointerdown", "keydown", "scroll", "touchstart"].forEach(function (name) {
      window.addEventListener(name, function () { if (dialog.hidden) { restart(); } }, { passive: true });
    });
    restart();
  }


  /* The tactile keypad: ordinary key events. Move a large visible focus, select, back, repeat, volume,
     speed, audio-only; on the phone step the digits type. The mapping (event.code → action) is the
     default below, overridden by the kiosk's keymap setting (README, "The keypad"). */
  var KEYS = {
    ArrowUp: "previous", ArrowLeft: "previous", Numpad8: "previous", Numpad4: "previous",
    ArrowDown: "next", ArrowRight: "next", Numpad2: "next", Numpad6: "next", Tab: "next",
    Enter: "select", NumpadEnter: "select", Numpad5: "select", Space: "select",
    Backspace: "back", Escape: "back", NumpadDecimal: "back",
    NumpadMultiply: "repeat", KeyR: "repeat",
    NumpadAdd: "louder", NumpadSubtract: "quieter",
    NumpadDivide: "slower", Numpad0: "audio_only"
  };
  try { Object.assign(KEYS, JSON.parse(body.dataset.keymap || "{}")); } catch (e) { /* a bad keymap: defaults */ }
  var onScreenKeypad = document.querySelector("[data-keypad-for]");  /* the phone step, or the staff PIN */
  var keypadInput = onScreenKeypad && document.getElementById(onScreenKeypad.dataset.keypadFor);
  function focusables() {
    var dialogOpen = dialog && !dialog.hidden;
    var scope = dialogOpen ? dialog : document;
    return Array.prototype.filter.call(
      scope.querySelectorAll("a[href], button:not([disabled]), summary, input:not([type=hidden])"),
      function (el) {
        return el.offsetParent !== null && !el.closest(".demo-panel") && !(el.closest("[hidden]"));
      });
  }
  function labelOf(el) {
    return (el.getAttribute("aria-label") || el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 120);
  }
  function moveFocus(step) {
    var all = focusables();
    if (!all.length) { return; }
    var at = all.indexOf(document.activeElement);
    var next;
    if (at < 0) {  /* nothing focused yet: start at the first thing on the screen's main part */
      var main = all.filter(function (el) { return el.closest("main") || el.closest(".dialog"); });
      next = step > 0 ? (main[0] || all[0]) : (main[main.length - 1] || all[all.length - 1]);
    } else {
      next = all[(at + step + all.length) % all.length];
    }
    next.focus();
    next.scrollIntoView({ block: "center" });
    voice.speak("say=" + encodeURIComponent(labelOf(next)));
  }
  function goBack() {
    var back = document.querySelector("main .back");
    if (back) { back.click(); return; }
    if (page === "person" && window.location.pathname !== "/me") { window.location.assign("/me"); }
  }
  var audioOnly = sessionStorage.getItem("audioOnly") === "1";
  function applyAudioOnly() { document.documentElement.classList.toggle("audio-only", audioOnly); }
  applyAudioOnly();
  window.addEventListener("keydown", function (event) {
    var code = event.code || event.key;
    if (keypadInput && /^(Digit|Numpad)[0-9]$/.test(code)) {  /* the phone step or the staff PIN: digits type */
      if (keypadInput.value.length < longest(keypadInput)) { keypadInput.value += code.slice(-1); }
      voice.speak("say=" + encodeURIComponent(code.slice(-1)));
      event.preventDefault();
      return;
    }
    if (keypadInput && code === "Backspace") {
      keypadInput.value = keypadInput.value.slice(0, -1);
      event.preventDefault();
      return;
    }
    var action = KEYS[code];
    if (!action) { return; }
    event.preventDefault();
    if (action === "next") { moveFocus(1); }
    else if (action === "previous") { moveFocus(-1); }
    else if (action === "select") {
      var el = document.activeElement;
      if (el && el !== document.body) { el.click(); } else { moveFocus(1); }
    }
    else if (action === "back") { goBack(); }
    else if (action === "repeat") { voice.repeat(); }
    else if (action === "louder" || action === "quieter") {
      voice.volume = Math.max(0.1, Math.min(1, voice.volume + (action === "louder" ? 0.1 : -0.1)));
      voice.audio.volume = voice.volume;
      sessionStorage.setItem("volume", String(voice.volume));
    }
    else if (action === "slower") {
      voice.slow = !voice.slow;
      sessionStorage.setItem("slow", voice.slow ? "1" : "0");
      applySlow();
      voice.repeat();
    }
    else if (action === "audio_only") {
      audioOnly = !audioOnly;
      sessionStorage.setItem("audioOnly", audioOnly ? "1" : "0");
      applyAudioOnly();
      voice.speak("prompt=" + (audioOnly ? "audio_only_on" : "audio_only_off"));
    }
  });

  /* On-screen keypads (a phone number, a staff PIN, a typed ID number): no system keyboard on a kiosk. */
  function longest(input) { return input.maxLength > 0 ? input.maxLength : 12; }
  document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.keypadFor);
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = input.value;
      if (key.dataset.key === "back") { value = value.slice(0, -1); }
      else if (key.dataset.key === "clear") { value = ""; }
      else if (value.length < longest(input)) { value += key.dataset.key; }
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
  /* Demo panel: plug the virtual headset in or pull it out (the channel poll then switches the voice). */
  document.querySelectorAll("[data-demo-headset]").forEach(function (button) {
    button.addEventListener("click", function () {
      var plugged = body.dataset.channel === "headset";
      post("/demo/headset/" + (plugged ? "out" : "in"), { "X-Kiosk-Demo": "1" });
    });
  });
  function showHeadset() {
    document.querySelectorAll("[data-demo-headset]").forEach(function (button) {
      var plugged = body.dataset.channel === "headset";
      button.setAttribute("aria-pressed", plugged ? "true" : "false");
      button.querySelector("[data-when=in]").hidden = !plugged;
      button.querySelector("[data-when=out]").hidden = plugged;
    });
  }
  window.addEventListener("mingbai:channel", showHeadset);
  document.querySelectorAll("[data-demo-take]").forEach(function (button) {
    button.addEventListener("click", function () { post("/demo/take", { "X-Kiosk-Demo": "1" }); });
  });
})();
