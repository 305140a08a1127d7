"use strict";
// caseclean review: keyboard-driven decisions on a run's corrections.
// Page text is untrusted: this script only ever writes it with textContent, never as HTML.
// Every page carries the filter state as its query string (body[data-query]); the queue the
// keys walk through is the server's, so j/k and auto-advance cross cases as the list orders.
(function () {
  var token = document.querySelector('meta[name="caseclean-token"]').getAttribute("content");
  var page = document.body.getAttribute("data-page");
  var query = document.body.getAttribute("data-query") || "";
  var UNDO_KEY = "caseclean-undo";
  var STATUSES = ["applied", "suggested", "accepted", "rejected", "superseded"];
  var queue = Promise.resolve();
  var pending = 0;
  var leaving = false;

  function toast(message) {
    var box = document.getElementById("toast");
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { box.classList.remove("show"); }, 2600);
  }

  function answer(response) {
    return response.json().then(function (data) {
      if (!response.ok) { throw new Error(data.error || "request failed"); }
      return data;
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Caseclean-Token": token },
      body: JSON.stringify(body),
    }).then(answer);
  }

  function get(url, params) {
    var search = new URLSearchParams(query);
    Object.keys(params).forEach(function (name) { search.set(name, params[name]); });
    return fetch(url + "?" + search.toString(), { credentials: "same-origin" }).then(answer);
  }

  // Every key action runs after the previous one has finished, so fast typing stays in order.
  // body[data-busy] is set while actions run, and stays once one leaves the page.
  function enqueue(action) {
    pending += 1;
    document.body.setAttribute("data-busy", "1");
    queue = queue.then(action).catch(function (error) { toast(String(error.message || error)); })
      .then(function () {
        pending -= 1;
        if (!pending && !leaving) { document.body.removeAttribute("data-busy"); }
      });
    return queue;
  }

  function go(url) {
    leaving = true;
    document.body.setAttribute("data-busy", "1");
    window.location.href = url;
  }

  function undoStack() {
    try { return JSON.parse(sessionStorage.getItem(UNDO_KEY) || "[]"); } catch (e) { return []; }
  }
  function pushUndo(entry) {
    var stack = undoStack();
    stack.push(entry);
    sessionStorage.setItem(UNDO_KEY, JSON.stringify(stack.slice(-200)));
  }
  function popUndo() {
    var stack = undoStack();
    var last = stack.pop();
    sessionStorage.setItem(UNDO_KEY, JSON.stringify(stack));
    return last;
  }

  // Undo the last decision, whichever page made it; ``after`` refreshes this page.
  function undo(after) {
    var last = popUndo();
    if (!last) { toast("nothing to undo"); return Promise.resolve(); }
    var request = last.type === "bulk"
      ? post("/api/bulk", { rule: last.rule, cmin: last.cmin, cmax: last.cmax, value: last.previous })
      : post("/api/decide", {
        case_id: last.case_id, key: last.key, scope: last.scope, value: last.previous,
        choice: last.previous_choice || "", query: query,
      });
    return request.then(function (data) {
      toast("undone");
      return after(last, data);
    });
  }

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
    if (link) { go(link.href); return true; }
    return false;
  }

  function reload() {
    leaving = true;
    document.body.setAttribute("data-busy", "1");
    window.location.reload();
  }

  function shown(text) {
    if (!text) { return "∅"; }
    if (!text.trim()) { return text.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥"); }
    return text;
  }

  // Keys shared by every page; ``own`` maps this page's keys to actions.
  function keys(own) {
    document.addEventListener("keydown", function (event) {
      if (typing(event)) { return; }
      var actions = Object.assign({ "?": toggleHelp }, own);
      if (!Object.prototype.hasOwnProperty.call(actions, event.key)) { return; }
      event.preventDefault();
      enqueue(actions[event.key]);
    });
  }

  // A list of rows to move through with j/k and open with Enter (case list, patterns).
  function rowList(selector) {
    var rows = Array.prototype.slice.call(document.querySelectorAll(selector));
    var current = -1;
    function select(i) {
      if (!rows.length) { return; }
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (row, n) { row.classList.toggle("selected", n === current); });
      rows[current].scrollIntoView({ block: "nearest" });
    }
    return {
      j: function () { select(current + 1); },
      k: function () { select(current - 1); },
      Enter: function () {
        if (current >= 0) { go(rows[current].querySelector("a").href); }
      },
      n: function () { follow("next-page"); },
      p: function () { follow("prev-page"); },
      s: function () { if (!follow("start")) { toast("the queue is empty"); } },
      l: function () { follow("least-likely"); },
      "/": function () {
        var box = document.querySelector('input[type="search"]');
        if (box) { box.focus(); }
      },
      u: function () { return undo(reload); },
    };
  }

  if (page === "index") { keys(rowList("tr.case-row")); }
  if (page === "patterns") { keys(rowList("tr.pattern-row")); }
  if (page === "case") { initCase(); }
  if (page === "pattern") { initPattern(); }
  if (page === "bulk") { initBulk(); }
  if (page !== "case") { document.body.setAttribute("data-ready", "1"); }

  function initPattern() {
    var items = Array.prototype.slice.call(document.querySelectorAll("li.occurrence"));
    var current = items.length ? 0 : -1;
    function select(i) {
      if (!items.length) { return; }
      current = Math.max(0, Math.min(items.length - 1, i));
      items.forEach(function (item, n) { item.classList.toggle("selected", n === current); });
      items[current].scrollIntoView({ block: "nearest" });
    }
    function decide(value, scope) {
      var item = items[current];
      if (!item) { return Promise.resolve(); }
      var body = {
        case_id: item.getAttribute("data-case-id"), key: item.getAttribute("data-key"),
        scope: scope, value: value, query: query,
      };
      return post("/api/decide", body).then(function (data) {
        pushUndo({ type: "edit", case_id: body.case_id, key: body.key, scope: scope,
          previous: data.previous, previous_choice: data.previous_choice });
        sessionStorage.setItem("caseclean-pattern-at", String(current + (scope === "edit" ? 1 : 0)));
        reload();
      });
    }
    var at = parseInt(sessionStorage.getItem("caseclean-pattern-at") || "0", 10);
    sessionStorage.removeItem("caseclean-pattern-at");
    select(Math.min(at, items.length - 1));
    document.getElementById("accept-all").addEventListener("click", function () {
      enqueue(function () { return decide("accepted", "pair"); });
    });
    document.getElementById("reject-all").addEventListener("click", function () {
      enqueue(function () { return decide("rejected", "pair"); });
    });
    document.getElementById("undo").addEventListener("click", function () {
      enqueue(function () { return undo(reload); });
    });
    keys({
      j: function () { select(current + 1); },
      k: function () { select(current - 1); },
      a: function () { return decide("accepted", "edit"); },
      x: function () { return decide("rejected", "edit"); },
      A: function () { return decide("accepted", "pair"); },
      X: function () { return decide("rejected", "pair"); },
      Enter: function () {
        if (current >= 0) { go(items[current].querySelector("a").href); }
      },
      n: function () { follow("next-page"); },
      p: function () { follow("prev-page"); },
      i: function () { follow("back"); },
      u: function () { return undo(reload); },
    });
  }

  function initBulk() {
    var button = document.getElementById("bulk-confirm");
    if (button) {
      button.addEventListener("click", function () {
        enqueue(function () {
          var body = {
            rule: button.getAttribute("data-rule"), cmin: button.getAttribute("data-cmin"),
            cmax: button.getAttribute("data-cmax"), value: button.getAttribute("data-value"),
            expect: parseInt(button.getAttribute("data-expect"), 10),
          };
          return post("/api/bulk", body).then(function (data) {
            pushUndo({ type: "bulk", rule: body.rule, cmin: body.cmin, cmax: body.cmax,
              previous: data.previous });
            updateNumbers("#totals [data-total]", "data-total", data.totals);
            reload();
          });
        });
      });
    }
    keys({ u: function () { return undo(reload); } });
  }

  // The case page: one case's edits, the current one in the panel, decisions by key.
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
        status: statusOf(el), scope: null, waiting: el.classList.contains("waiting"),
        decision: el.classList.contains("accepted") ? "accepted"
          : el.classList.contains("rejected") ? "rejected" : null,
      };
    });

    function statusOf(el) {
      for (var i = 0; i < STATUSES.length; i++) {
        if (el.classList.contains(STATUSES[i])) { return STATUSES[i]; }
      }
      return "";
    }
    function scope() { return document.querySelector('input[name="scope"]:checked').value; }
    function setScope(value) {
      document.querySelector('input[name="scope"][value="' + value + '"]').checked = true;
    }
    function readings(el) {
      try { return JSON.parse(el.getAttribute("data-readings") || "[]"); } catch (e) { return []; }
    }

    function showReadings(el, info) {
      var list = document.getElementById("readings");
      list.textContent = "";
      var options = readings(el);
      if (options.length < 2) { return; }
      options.forEach(function (text, i) {
        var item = document.createElement("li");
        var key = document.createElement("kbd");
        key.textContent = String(i + 1);
        item.appendChild(key);
        item.appendChild(document.createTextNode(shown(text) + (i === 0 ? " (the corrector's)" : "")));
        if (info.decision === "accepted" && el.getAttribute("data-replacement") === text) {
          item.classList.add("chosen");
        }
        list.appendChild(item);
      });
    }

    function showPanel() {
      var el = edits[current];
      if (!el) { return; }
      var data = el.dataset;
      var info = state[data.key];
      var options = readings(el);
      document.getElementById("cur-original").textContent = shown(data.original);
      document.getElementById("cur-replacement").textContent = shown(data.replacement);
      var status = document.getElementById("cur-status");
      status.textContent = info.status + (info.scope ? " (by " + info.scope + " decision)" : "") +
        (info.waiting ? ", waiting for review" : "");
      status.className = info.status;
      document.getElementById("cur-pass").textContent = data.pass;
      document.getElementById("cur-rule").textContent = data.rule;
      document.getElementById("cur-confidence").textContent = data.confidence;
      document.getElementById("cur-position").textContent =
        (current + 1) + " of " + edits.length + " on this page" +
        (data.queued === "1" ? "" : " (outside the filters)");
      document.getElementById("pair-label").textContent =
        shown(data.original) + " → " + shown(options[0] || data.replacement);
      document.getElementById("rule-label").textContent = data.rule;
      document.getElementById("pair-count").textContent = data.pairCount;
      document.getElementById("rule-count").textContent = data.ruleCount;
      var search = new URLSearchParams(query);
      search.set("o", data.original);
      search.set("r", options[0] || data.replacement);
      document.getElementById("pattern-link").href = "/pattern?" + search.toString();
      showReadings(el, info);
    }

    function select(i) {
      if (!edits.length) { return; }
      current = (i + edits.length) % edits.length;
      edits.forEach(function (el, n) { el.classList.toggle("current", n === current); });
      edits[current].focus({ preventScroll: true });
      edits[current].scrollIntoView({ block: "center" });
      var search = new URLSearchParams(window.location.search);
      search.set("at", edits[current].getAttribute("data-key"));
      history.replaceState(null, "", "/case?" + search.toString());
      showPanel();
    }

    function currentKey() { return edits[current] ? edits[current].getAttribute("data-key") : ""; }

    // Go to the queue's next (or previous) edit, on this page or another.
    function step(forward, undecided) {
      if (!edits.length) { follow(forward ? "next-case" : "prev-case"); return Promise.resolve(); }
      var params = { id: caseId, at: currentKey(), dir: forward ? "next" : "prev" };
      if (undecided) { params.undecided = "1"; }
      return get("/api/step", params).then(function (found) {
        if (!found.key) {
          if (undecided) { document.getElementById("done").hidden = false; }
          toast(forward ? "end of the queue" : "start of the queue");
        } else if (found.case_id === caseId) {
          select(edits.indexOf(byKey[found.key]));
        } else {
          go(found.url);
        }
      });
    }

    function apply(data) {
      (data.edits || []).forEach(function (e) {
        var el = byKey[e.key];
        if (!el) { return; }
        STATUSES.forEach(function (s) { el.classList.remove(s); });
        el.classList.add(e.status);
        el.classList.toggle("waiting", e.waiting);
        el.title = e.title;
        if (el.getAttribute("data-replacement") !== e.replacement) {
          el.setAttribute("data-replacement", e.replacement);
          el.textContent = shown(e.replacement);
        }
        state[e.key] = { status: e.status, decision: e.decision, scope: e.scope,
          applied: e.applied, waiting: e.waiting };
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
    }

    function decide(value, choice) {
      var el = edits[current];
      if (!el) { return Promise.resolve(); }
      var key = el.getAttribute("data-key");
      var chosen = scope();
      if (choice && chosen === "rule") { chosen = "edit"; }
      var body = { case_id: caseId, key: key, scope: chosen, value: value, choice: choice || "",
        query: query };
      return post("/api/decide", body).then(function (data) {
        pushUndo({ type: "edit", case_id: caseId, key: key, scope: chosen,
          previous: data.previous, previous_choice: data.previous_choice });
        apply(data);
        setScope("edit");
        toast((value === "accepted" ? "accepted" : "rejected") +
          (choice ? " " + shown(choice) : "") + (chosen === "edit" ? "" : " every edit of this " +
          (chosen === "pair" ? "pattern" : "rule")));
        return step(true, true);
      });
    }

    function choose(n) {
      return function () {
        var options = edits[current] ? readings(edits[current]) : [];
        if (n > options.length) { toast("no reading " + n + " for this edit"); return null; }
        return decide("accepted", n === 1 ? "" : options[n - 1]);
      };
    }

    // After an undo, show the edit it restored: here, or on its own case page.
    function afterUndo(last, data) {
      if (last.type !== "edit") { reload(); return; }
      if (last.case_id !== caseId) {
        var search = new URLSearchParams(query);
        search.set("id", last.case_id);
        search.set("at", last.key);
        go("/case?" + search.toString());
        return;
      }
      apply(data);
      var index = edits.indexOf(byKey[last.key]);
      if (index >= 0) { select(index); }
    }

    document.getElementById("accept").addEventListener("click", function () {
      enqueue(function () { return decide("accepted"); });
    });
    document.getElementById("reject").addEventListener("click", function () {
      enqueue(function () { return decide("rejected"); });
    });
    document.getElementById("undo").addEventListener("click", function () {
      enqueue(function () { return undo(afterUndo); });
    });

    var actions = {
      j: function () { return step(true, false); },
      k: function () { return step(false, false); },
      a: function () { return decide("accepted"); },
      x: function () { return decide("rejected"); },
      u: function () { return undo(afterUndo); },
      e: function () { setScope("edit"); },
      o: function () { setScope("pair"); },
      r: function () { setScope("rule"); },
      v: function () { follow("pattern-link"); },
      n: function () { follow("next-case"); },
      p: function () { follow("prev-case"); },
      i: function () { follow("back"); },
    };
    for (var n = 1; n <= 9; n++) { actions[String(n)] = choose(n); }
    keys(actions);

    var at = document.getElementById("case").getAttribute("data-at");
    if (edits.length) { select(Math.max(0, edits.indexOf(byKey[at]))); }
    document.body.setAttribute("data-ready", "1");
  }
})();
