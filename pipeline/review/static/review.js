"use strict";
// caseclean review: keyboard-driven decisions on a run's corrections.
// Page text is untrusted: this script only ever writes it with textContent, never as HTML.
(function () {
  var token = document.querySelector('meta[name="caseclean-token"]').getAttribute("content");
  var page = document.body.getAttribute("data-page");
  var UNDO_KEY = "caseclean-undo";
  var STATUSES = ["applied", "suggested", "accepted", "rejected", "superseded"];
  var queue = Promise.resolve();

  function toast(message) {
    var box = document.getElementById("toast");
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.classList.remove("show"); }, 2600);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Caseclean-Token": token },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || "request failed"); }
        return data;
      });
    });
  }

  // Every key action runs after the previous one has finished, so fast typing stays in order.
  function enqueue(action) {
    queue = queue.then(action).catch(function (error) { toast(String(error.message || error)); });
    return queue;
  }

  function undoStack() {
    try { return JSON.parse(sessionStorage.getItem(UNDO_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveUndo(stack) { sessionStorage.setItem(UNDO_KEY, JSON.stringify(stack.slice(-200))); }

  function updateNumbers(selector, attribute, values) {
    document.querySelectorAll(selector).forEach(function (node) {
      var name = node.getAttribute(attribute);
      if (values && Object.prototype.hasOwnProperty.call(values, name)) {
        node.textContent = String(values[name]);
      }
    });
  }

  function toggleHelp() {
    var dialog = document.getElementById("help");
    if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
  }

  function exportRules() {
    return post("/api/export", {}).then(function (data) {
      toast("exported " + data.decisions + " decisions to " + data.path);
    });
  }

  document.getElementById("help-button").addEventListener("click", toggleHelp);
  document.getElementById("export").addEventListener("click", function () { enqueue(exportRules); });

  function typing(event) {
    var tag = (event.target && event.target.tagName) || "";
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || event.ctrlKey ||
      event.metaKey || event.altKey;
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
  }

  if (page === "index") { initIndex(); }
  if (page === "case") { initCase(); }

  function initIndex() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.case-row"));
    var current = -1;
    function select(i) {
      if (!rows.length) { return; }
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
      rows[current].scrollIntoView({ block: "nearest" });
    }
    function open() {
      if (current >= 0) { window.location.href = rows[current].querySelector("a").href; }
    }
    document.addEventListener("keydown", function (event) {
      if (typing(event)) { return; }
      var key = event.key;
      if (key === "j" || key === "n") { select(current + 1); }
      else if (key === "k" || key === "p") { select(current - 1); }
      else if (key === "Enter" || key === "o") { open(); }
      else if (key === "?") { toggleHelp(); }
      else { return; }
      event.preventDefault();
    });
  }

  function initCase() {
    var caseId = document.getElementById("case").getAttribute("data-case-id");
    var edits = Array.prototype.slice.call(document.querySelectorAll("ins.edit[data-key]"));
    var byKey = {};
    var state = {};
    var current = -1;
    edits.forEach(function (el, i) {
      byKey[el.getAttribute("data-key")] = el;
      el.addEventListener("click", function () { select(i); });
      state[el.getAttribute("data-key")] = {
        status: statusOf(el),
        decision: el.classList.contains("accepted") ? "accepted"
          : el.classList.contains("rejected") ? "rejected" : null,
        scope: null,
      };
    });

    function statusOf(el) {
      for (var i = 0; i < STATUSES.length; i++) {
        if (el.classList.contains(STATUSES[i])) { return STATUSES[i]; }
      }
      return "";
    }

    function scope() {
      return document.querySelector('input[name="scope"]:checked').value;
    }
    function setScope(value) {
      document.querySelector('input[name="scope"][value="' + value + '"]').checked = true;
    }

    function shown(text) {
      if (!text) { return "∅"; }
      if (!text.trim()) { return text.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥"); }
      return text;
    }

    function showPanel() {
      var el = edits[current];
      if (!el) { return; }
      var data = el.dataset;
      var info = state[data.key];
      document.getElementById("cur-original").textContent = shown(data.original);
      document.getElementById("cur-replacement").textContent = shown(data.replacement);
      var status = document.getElementById("cur-status");
      status.textContent = info.status + (info.scope ? " (by " + info.scope + " decision)" : "");
      status.className = info.status;
      document.getElementById("cur-pass").textContent = data.pass;
      document.getElementById("cur-rule").textContent = data.rule;
      document.getElementById("cur-confidence").textContent = data.confidence;
      document.getElementById("cur-position").textContent =
        (current + 1) + " of " + edits.length + " on this page";
      document.getElementById("pair-label").textContent =
        shown(data.original) + " → " + shown(data.replacement);
      document.getElementById("rule-label").textContent = data.rule;
      document.getElementById("pair-count").textContent = data.pairCount;
      document.getElementById("rule-count").textContent = data.ruleCount;
    }

    function select(i) {
      if (!edits.length) { return; }
      current = (i + edits.length) % edits.length;
      edits.forEach(function (el, n) { el.classList.toggle("current", n === current); });
      edits[current].focus({ preventScroll: true });
      edits[current].scrollIntoView({ block: "center" });
      showPanel();
    }

    function nextUndecided() {
      for (var step = 1; step <= edits.length; step++) {
        var i = (current + step) % edits.length;
        if (state[edits[i].getAttribute("data-key")].decision === null) { return i; }
      }
      return -1;
    }

    function apply(data) {
      (data.edits || []).forEach(function (e) {
        var el = byKey[e.key];
        if (!el) { return; }
        STATUSES.forEach(function (s) { el.classList.remove(s); });
        el.classList.add(e.status);
        el.title = e.title;
        state[e.key] = { status: e.status, decision: e.decision, scope: e.scope, applied: e.applied };
      });
      document.querySelectorAll(".cluster").forEach(function (cluster) {
        var struck = Array.prototype.some.call(cluster.querySelectorAll("ins.edit"), function (el) {
          var info = state[el.getAttribute("data-key")];
          return info && (info.status === "applied" || info.status === "accepted") &&
            info.applied !== false;
        });
        cluster.classList.toggle("struck", struck);
      });
      (data.sections || []).forEach(function (s) {
        var box = document.querySelector('.clean-text[data-position="' + s.position + '"]');
        if (box) { box.textContent = s.clean; }
      });
      updateNumbers("#case-counts [data-count]", "data-count", data.counts);
      updateNumbers("#totals [data-total]", "data-total", data.totals);
      document.getElementById("done").hidden = nextUndecided() !== -1 || !edits.length;
    }

    function decide(value) {
      var el = edits[current];
      if (!el) { return Promise.resolve(); }
      var key = el.getAttribute("data-key");
      var chosen = scope();
      return post("/api/decide", { case_id: caseId, key: key, scope: chosen, value: value })
        .then(function (data) {
          var stack = undoStack();
          stack.push({ case_id: caseId, key: key, scope: chosen, previous: data.previous });
          saveUndo(stack);
          apply(data);
          var next = nextUndecided();
          if (next !== -1) { select(next); } else { showPanel(); }
          toast((value === "accepted" ? "accepted" : "rejected") +
            (chosen === "edit" ? "" : " every edit of this " + chosen));
        });
    }

    function undo() {
      var stack = undoStack();
      var last = stack.pop();
      if (!last) { toast("nothing to undo"); return Promise.resolve(); }
      return post("/api/decide", {
        case_id: last.case_id, key: last.key, scope: last.scope, value: last.previous,
      }).then(function (data) {
        saveUndo(stack);
        if (last.case_id === caseId) {
          apply(data);
          var index = edits.indexOf(byKey[last.key]);
          if (index >= 0) { select(index); }
          toast("undone");
        } else {
          toast("undone on " + last.case_id);
        }
      });
    }

    document.getElementById("accept").addEventListener("click", function () {
      enqueue(function () { return decide("accepted"); });
    });
    document.getElementById("reject").addEventListener("click", function () {
      enqueue(function () { return decide("rejected"); });
    });
    document.getElementById("undo").addEventListener("click", function () { enqueue(undo); });

    document.addEventListener("keydown", function (event) {
      if (typing(event)) { return; }
      var key = event.key;
      var actions = {
        j: function () { select(current + 1); },
        k: function () { select(current - 1); },
        a: function () { return decide("accepted"); },
        x: function () { return decide("rejected"); },
        u: undo,
        1: function () { setScope("edit"); },
        2: function () { setScope("pair"); },
        3: function () { setScope("rule"); },
        n: function () { follow("next-case"); },
        p: function () { follow("prev-case"); },
        "?": toggleHelp,
      };
      if (!Object.prototype.hasOwnProperty.call(actions, key)) { return; }
      event.preventDefault();
      enqueue(actions[key]);
    });

    var first = edits.findIndex(function (el) {
      return state[el.getAttribute("data-key")].decision === null;
    });
    if (edits.length) {
      select(first >= 0 ? first : 0);
      document.getElementById("done").hidden = first >= 0;
    }
    document.body.setAttribute("data-ready", "1");
  }
  if (page !== "case") { document.body.setAttribute("data-ready", "1"); }
})();
