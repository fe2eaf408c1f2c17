// Report form enhancements. The form works without this file; with it:
// a character counter, "Idag"/"Igår" buttons, operation area following the
// unit, police fields shown when relevant, who will receive the report kept
// up to date as the unit and the answer about who it was change (with a
// question when the text names a manager, a colleague or an elected
// official), drafts kept while typing (in the browser, and on the server for
// logged-in users) and no double submission. On the receipt page it clears
// the drafts of the report just sent and copies the receipt code.
(function () {
  "use strict";

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // --- receipt page: the report is sent, forget the drafts ---------------------
  var receipt = document.querySelector("[data-clear-drafts]");
  if (receipt) {
    each(receipt.getAttribute("data-clear-drafts").split(" "), function (key) {
      if (!key) { return; }
      try { window.localStorage.removeItem(key); window.sessionStorage.removeItem(key); } catch (e) { /* storage off */ }
    });
  }

  // --- receipt page: copy the receipt code ------------------------------------------
  each(document.querySelectorAll("[data-copy]"), function (copy) {
    var source = document.getElementById(copy.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    if (!source) { return; }
    copy.hidden = false;
    function say(text) { if (status) { status.textContent = text; } }
    function selectCode() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    function fallback() {
      // No clipboard access (an old browser, or not allowed): select the
      // code so that the reporter can copy it themselves.
      selectCode();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(copy.getAttribute(copied ? "data-copied-text" : "data-fallback-text"));
    }
    copy.addEventListener("click", function () {
      var code = source.textContent.trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code).then(function () {
          say(copy.getAttribute("data-copied-text"));
        }, fallback);
      } else { fallback(); }
    });
  });

  var form = document.querySelector("form[data-report-form]");
  if (!form) { return; }

  var key = form.getAttribute("data-draft-key");
  var serverUrl = form.getAttribute("data-draft-url");
  var discardUrl = form.getAttribute("data-draft-discard-url");
  var serverSavedAt = Number(form.getAttribute("data-server-draft-at") || 0);
  var bound = form.getAttribute("data-bound") === "1";
  var csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var submitting = false;

  // --- character counter --------------------------------------------------------
  var text = form.querySelector("#id_description");
  var counter = form.querySelector("[data-counter]");
  var max = Number(counter ? counter.getAttribute("data-max") : 0);
  function length(value) { return Array.from(value.replace(/\r\n/g, "\n")).length; }
  function updateCounter() {
    if (!text || !counter) { return; }
    var n = length(text.value);
    var over = n - max;
    counter.classList.toggle("counter-over", over > 0);
    // The sentences come translated from the template, with {name} slots.
    var lang = document.documentElement.lang || "sv";
    var slots = {n: n, over: over, max: max};
    var sentence = counter.getAttribute(over > 0 ? "data-text-over" : "data-text-count") || "";
    counter.textContent = sentence.replace(/\{(\w+)\}/g, function (_, key) {
      return slots[key].toLocaleString(lang);
    });
  }

  // --- "Idag" / "Igår" ------------------------------------------------------------
  var dateInput = form.querySelector("#id_occurred_date");
  var quick = form.querySelector("[data-quick-dates]");
  function iso(d) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }
  if (quick && dateInput) {
    quick.hidden = false;
    each(quick.querySelectorAll("[data-days]"), function (button) {
      button.addEventListener("click", function () {
        var d = new Date();
        d.setDate(d.getDate() - Number(button.getAttribute("data-days")));
        dateInput.value = iso(d);
        dateInput.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }

  // --- operation area follows the unit until the reporter picks one ---------------
  var unit = form.querySelector("#id_unit");
  var area = form.querySelector("#id_operation_area");
  var areaTouched = false;
  if (area) { area.addEventListener("change", function (e) { if (e.isTrusted) { areaTouched = true; } }); }
  if (unit && area) {
    unit.addEventListener("change", function () {
      var option = unit.options[unit.selectedIndex];
      if (!areaTouched && option) { area.value = option.getAttribute("data-area") || ""; }
    });
  }

  // --- police report fields ----------------------------------------------------------
  function updatePolice() {
    var checked = form.querySelector("input[name=police_status]:checked");
    var status = checked ? checked.value : "";
    each(form.querySelectorAll("[data-police]"), function (box) {
      var invalid = box.classList.contains("field-invalid");
      box.hidden = !invalid && box.getAttribute("data-police") !== status;
    });
  }
  each(form.querySelectorAll("input[name=police_status]"), function (r) { r.addEventListener("change", updatePolice); });

  // --- choosing anonymous: a fresh token ---------------------------------------------
  // The token may already sit in a server draft under the user's name; an
  // anonymous report gets one that never left this browser.
  var token = form.querySelector("input[name=token]");
  each(form.querySelectorAll("input[name=identity_mode][type=radio]"), function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked && radio.value === "anonymous" && token && window.crypto && window.crypto.randomUUID) {
        token.value = window.crypto.randomUUID();
      }
    });
  });

  // --- who it was, and who will receive the report ------------------------------------
  var question = form.querySelector("[data-source-question]");
  var maySee = form.querySelector("[data-manager-may-see]");
  var maySeeBox = form.querySelector("#id_manager_may_see");
  var hintBox = form.querySelector("[data-source-hint]");
  var hintText = form.querySelector("[data-source-hint-text]");
  var hintChoose = form.querySelector("[data-source-hint-choose]");
  var confirmBox = form.querySelector("[data-source-confirm]");
  var confirmInput = form.querySelector("#id_source_confirmed");
  var recipients = form.querySelector("[data-recipients]");
  var recipientsBody = form.querySelector("[data-recipients-body]");
  var recipientsSeen = form.querySelector("[data-recipients-seen]");
  // The server asked already (a form sent back): do not say it twice.
  var serverAsked = !!(question && question.querySelector("#id_source_error"));
  function chosenSource() { return form.querySelector("input[name=source]:checked"); }
  function updateMaySee() {
    if (!maySee) { return; }
    var chosen = chosenSource();
    maySee.hidden = !(chosen && chosen.hasAttribute("data-unknown"));
  }
  function showConfirm(show) {
    if (!confirmBox) { return; }
    confirmBox.hidden = !show;
    // A confirmation answers one question about one answer; never keep it hidden.
    if (!show && confirmInput) { confirmInput.checked = false; }
  }
  function showHint(hint) {
    if (!hintBox) { return; }
    var chosen = chosenSource();
    if (!hint) {
      hintBox.hidden = true;
      showConfirm(false);
      return;
    }
    hintText.textContent = hint.text + (hint.confirm_text ? " " + hint.confirm_text : "");
    hintBox.hidden = serverAsked;
    if (hintChoose) {
      hintChoose.hidden = !hint.pk || !!(chosen && String(chosen.value) === String(hint.pk));
      hintChoose.textContent = hint.button || "";
      hintChoose.setAttribute("data-pk", hint.pk || "");
    }
    showConfirm(!!hint.confirm);
  }
  if (hintChoose) {
    hintChoose.addEventListener("click", function () {
      var radio = form.querySelector("input[name=source][value='" + hintChoose.getAttribute("data-pk") + "']");
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        radio.focus();
      }
    });
  }

  var previewUrl = recipients ? recipients.getAttribute("data-url") : "";
  var previewTimer = null;
  var previewSeq = 0;
  var inflight = null;
  function preview() {
    clearTimeout(previewTimer);
    previewTimer = null;
    if (!previewUrl) { return Promise.resolve(); }
    var body = new FormData(form);
    body.delete("attachments");
    if (form.hasAttribute("data-anonymous-only")) { body.set("anonymous_only", "1"); }
    var seq = ++previewSeq;
    var request = fetch(previewUrl, { method: "POST", body: body, credentials: "same-origin",
                                      headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || seq !== previewSeq) { return; }
        recipientsBody.innerHTML = answer.html;
        recipientsSeen.value = answer.seen;
        showHint(answer.hint);
      })
      .catch(function () { /* the server shows the recipients before sending instead */ })
      .then(function () { if (seq === previewSeq) { inflight = null; } });
    inflight = request;
    return request;
  }
  function schedulePreview(delay) {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, delay);
  }
  function previewBusy() { return previewTimer !== null || inflight !== null; }
  if (recipients) {
    form.addEventListener("change", function (e) {
      var name = e.target.name;
      if (name === "source") { serverAsked = false; showConfirm(false); updateMaySee(); }
      if (name === "unit" || name === "source" || name === "identity_mode" || name === "manager_may_see") {
        schedulePreview(100);
      }
    });
    if (text) {
      text.addEventListener("input", function () { serverAsked = false; schedulePreview(700); });
    }
  }

  // --- drafts ---------------------------------------------------------------------------
  function identity() {
    var checked = form.querySelector("input[name=identity_mode]:checked") ||
      form.querySelector("input[type=hidden][name=identity_mode]");
    return checked ? checked.value : "named";
  }
  function collect() {
    var data = { forms: [] };
    each(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.tagName === "BUTTON") { return; }
      if (el.type === "checkbox") {
        if (el.name === "forms") { if (el.checked) { data.forms.push(el.value); } } else { data[el.name] = el.checked; }
      } else if (el.type === "radio") {
        if (el.checked) { data[el.name] = el.value; }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }
  function apply(data) {
    each(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      var value = data[el.name];
      if (el.type === "checkbox") { el.checked = el.name === "forms" ? value.indexOf(el.value) !== -1 : !!value; }
      else if (el.type === "radio") { el.checked = el.value === value; }
      else if (el.type !== "hidden" || el.name === "token") { el.value = value; }
    });
    // A restored area counts as the reporter's own choice only when it is not
    // simply the restored unit's area; otherwise it keeps following the unit.
    if (data.operation_area !== undefined && unit && area) {
      var chosen = unit.options[unit.selectedIndex];
      areaTouched = !chosen || (chosen.getAttribute("data-area") || "") !== area.value;
    }
  }
  function read(storage) {
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; }
  }
  // Only something the reporter typed or chose is worth keeping; an untouched
  // form would otherwise bring back yesterday's date tomorrow.
  function meaningful(data) { return !!(data && ((data.description || "").trim() || (data.forms || []).length)); }
  function writeLocal() {
    if (!key || submitting) { return; }
    var data = collect();
    if (!meaningful(data)) {
      try { window.localStorage.removeItem(key); window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
      return;
    }
    var payload = JSON.stringify({ savedAt: Date.now(), data: data });
    try {
      // An anonymous draft lives only as long as the tab, so it is not left
      // behind on a shared device.
      if (identity() === "anonymous") {
        window.localStorage.removeItem(key);
        window.sessionStorage.setItem(key, payload);
      } else {
        window.sessionStorage.removeItem(key);
        window.localStorage.setItem(key, payload);
      }
    } catch (e) { /* private mode or storage full: the server copy still helps */ }
  }
  var serverDirty = false;
  function writeServer(keepalive) {
    if (!serverUrl || !serverDirty || submitting) { return; }
    serverDirty = false;
    var body;
    if (identity() === "anonymous") {
      // Never send an anonymous draft: just ask the server to drop its copy.
      body = new FormData();
      body.append("identity_mode", "anonymous");
    } else {
      body = new FormData(form);
      body.delete("attachments");
    }
    body.set("csrfmiddlewaretoken", csrf);
    fetch(serverUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: !!keepalive,
                       headers: { "X-CSRFToken": csrf } })
      .then(function (r) { if (!r.ok) { serverDirty = true; } })
      .catch(function () { serverDirty = true; });
  }
  var localTimer = null;
  function changed() {
    updateCounter();
    serverDirty = true;
    clearTimeout(localTimer);
    localTimer = setTimeout(writeLocal, 400);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () { writeLocal(); writeServer(false); });
  setInterval(function () { writeServer(false); }, 5000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { writeLocal(); writeServer(true); }
  });

  // Restore a newer browser draft (after a reload or a lost connection). A form
  // sent back with errors already holds the latest values.
  var notice = document.querySelector("[data-local-restored]");
  if (!bound) {
    var saved = [read(window.localStorage), read(window.sessionStorage)]
      .filter(function (d) { return d && meaningful(d.data); })
      .sort(function (a, b) { return b.savedAt - a.savedAt; })[0];
    if (saved && saved.savedAt > serverSavedAt && JSON.stringify(saved.data) !== JSON.stringify(collect())) {
      apply(saved.data);
      if (notice) { notice.hidden = false; }
      updateMaySee();
      preview();  // the restored unit and answers decide who receives it
    }
  } else {
    writeLocal();
  }
  // Both "Börja om" buttons (the server draft's, a real form, and the browser
  // draft's) forget every copy: this device's and the server's.
  each(document.querySelectorAll("[data-draft-clear]"), function (clear) {
    clear.addEventListener("click", function (e) {
      e.preventDefault();
      try { window.localStorage.removeItem(key); window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
      submitting = true;  // stop autosave while we leave
      var done = function () { window.location.replace(window.location.pathname); };
      if (discardUrl) {
        fetch(discardUrl, { method: "POST", credentials: "same-origin",
                            headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" } }).then(done, done);
      } else { done(); }
    });
  });

  // --- one submission -------------------------------------------------------------
  var button = form.querySelector("[data-submit]");
  var label = button ? button.textContent : "";
  form.addEventListener("submit", function (e) {
    if (submitting) { e.preventDefault(); return; }
    if (previewBusy()) {
      // Send what the reporter has seen: wait for the recipients of the
      // latest answers, then send (the server checks it either way).
      e.preventDefault();
      (previewTimer !== null ? preview() : inflight).then(function () {
        if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
      });
      return;
    }
    writeLocal();
    submitting = true;
    if (button) {
      button.disabled = true;
      button.textContent = button.getAttribute("data-busy-text") || label;
      // If the network hangs, allow a retry: the same token returns the same report.
      setTimeout(function () { submitting = false; button.disabled = false; button.textContent = label; }, 20000);
    }
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && button) { submitting = false; button.disabled = false; button.textContent = label; }
  });

  updateCounter();
  updatePolice();
  updateMaySee();
})();
