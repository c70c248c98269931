// The "Ask the policy" panel of `esafety render --interactive`.
//
// Every answer comes from esafety itself, compiled to WebAssembly (the
// module is inside this page, as base64): this script only builds the form,
// reads and writes the address's `#ask?…` part, and shows what the module
// answers. Nothing leaves the page.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let wasm = null;
  let names = null;

  // --- the module -------------------------------------------------------
  function call(op, text) {
    const data = enc.encode(text);
    const at = wasm.esafety_input(data.length);
    new Uint8Array(wasm.memory.buffer, at, data.length).set(data);
    wasm[op]();
    const out = new Uint8Array(wasm.memory.buffer, wasm.esafety_output_ptr(), wasm.esafety_output_len());
    return JSON.parse(dec.decode(out));
  }

  function fail(message) {
    const answer = $("answer");
    answer.dataset.verdict = "error";
    answer.textContent = message;
  }

  // --- the form ---------------------------------------------------------
  function option(select, value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function fill(select, items, blank) {
    select.textContent = "";
    if (blank !== undefined) option(select, "", blank);
    for (const item of items) option(select, item.id, item.label && item.label !== item.id ? `${item.label} (${item.id})` : item.id);
  }

  function buildForm() {
    const roles = names.roles.map((r) => ({ id: r.id, label: r.label ? `${r.id}, in ${r.label}` : r.id }));
    fill($("ask-role"), roles);
    fill($("ask-role-also"), roles, "(no other role)");
    fill($("ask-action"), names.rows);
    fill($("ask-incident"), names.incidents);
    fill($("ask-device"), names.devices);
    fill($("ask-capability"), names.capabilities);
    fill($("ask-place"), names.places, "(not said)");
    const facts = $("ask-facts");
    facts.textContent = "";
    for (const f of names.facts) {
      const label = document.createElement("label");
      label.textContent = f.label + " ";
      const select = document.createElement("select");
      select.dataset.fact = f.id;
      option(select, "", "not said");
      option(select, "yes", "yes");
      option(select, "no", "no");
      label.appendChild(select);
      facts.appendChild(label);
    }
    $("ask-at").value = localNow();
    showKind();
  }

  // The reader's clock, as esafety writes a moment: `YYYY-MM-DDTHH:MM`.
  function localNow() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
  }

  function kind() {
    return document.querySelector('input[name="ask-kind"]:checked').value;
  }

  function showKind() {
    for (const k of ["action", "incident", "device"]) $(`ask-${k}-field`).hidden = kind() !== k;
  }

  // The question the form holds, as a `#ask?…` address.
  function formToHash() {
    const p = new URLSearchParams();
    p.append("role", $("ask-role").value);
    if ($("ask-role-also").value) p.append("role", $("ask-role-also").value);
    const k = kind();
    if (k === "action") p.set("action", $("ask-action").value);
    if (k === "incident") p.set("incident", $("ask-incident").value);
    if (k === "device") {
      p.set("device", $("ask-device").value);
      p.set("action", $("ask-capability").value);
    }
    if ($("ask-at").value) p.set("at", $("ask-at").value);
    if ($("ask-place").value) p.set("place", $("ask-place").value);
    for (const s of document.querySelectorAll("#ask-facts select")) {
      if (s.value) p.append("fact", `${s.dataset.fact}:${s.value}`);
    }
    return "#ask?" + p.toString();
  }

  // --- deep links: #ask?role=…&action=…&at=… ----------------------------
  function hashToQuery(hash) {
    const p = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
    const q = { version: 1 };
    const roles = p.getAll("role");
    if (roles.length > 0) q.role = roles[0];
    if (roles.length > 1) q.roles = roles.slice(1);
    if (p.has("incident")) q.incident = p.get("incident");
    if (p.has("device")) q.device = p.get("device");
    if (p.has("action")) q.action = p.get("action");
    if (p.has("at")) q.at = p.get("at");
    if (p.has("place")) q.place = p.get("place");
    if (p.has("prior")) q.prior = Number(p.get("prior"));
    for (const f of p.getAll("fact")) {
      const [name, value] = f.split(":");
      q.facts = q.facts || {};
      q.facts[name] = value === "yes" || value === "true";
    }
    return q;
  }

  function setSelect(id, value) {
    const s = $(id);
    if ([...s.options].some((o) => o.value === value)) s.value = value;
  }

  function queryToForm(q) {
    if (q.role) setSelect("ask-role", q.role);
    setSelect("ask-role-also", (q.roles && q.roles[0]) || "");
    const k = q.incident ? "incident" : q.device ? "device" : "action";
    document.querySelector(`input[name="ask-kind"][value="${k}"]`).checked = true;
    showKind();
    if (q.incident) setSelect("ask-incident", q.incident);
    if (q.device) {
      setSelect("ask-device", q.device);
      setSelect("ask-capability", q.action);
    } else if (q.action) setSelect("ask-action", q.action);
    if (q.at) $("ask-at").value = q.at;
    setSelect("ask-place", q.place || "");
    const facts = q.facts || {};
    for (const s of document.querySelectorAll("#ask-facts select")) {
      const value = facts[s.dataset.fact];
      s.value = value === undefined ? "" : value ? "yes" : "no";
    }
    if (Object.keys(facts).length > 0) $("ask-known").open = true;
  }

  function route() {
    const hash = decodeURIComponent(location.hash);
    if (!hash.startsWith("#ask")) return;
    $("ask").open = true;
    const q = hashToQuery(location.hash);
    queryToForm(q);
    show(q, call("esafety_decide", JSON.stringify(q)));
  }

  // --- the answer ---------------------------------------------------------
  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function cite(file, line) {
    return file ? `${file}, line ${line}` : `line ${line}`;
  }

  function link(text, anchor) {
    if (!anchor || !document.getElementById(anchor)) return el("span", text);
    return el("a", text, { href: "#" + anchor });
  }

  function anchorOf(list, id) {
    const found = (list || []).find((x) => x.id === id);
    return found ? found.anchor : null;
  }

  function show(q, reply) {
    const answer = $("answer");
    answer.textContent = "";
    if (reply.error !== undefined) {
      answer.dataset.verdict = "error";
      answer.appendChild(el("p", reply.error, { class: "ask-error", role: "alert" }));
      return;
    }
    const d = reply.decision;
    answer.dataset.verdict = q.incident ? "incident" : d.verdict;
    const head = q.incident ? "WHAT FOLLOWS" : d.verdict.toUpperCase();
    answer.appendChild(el("p", head, { class: `verdict verdict-${answer.dataset.verdict}` }));
    if (d.condition) answer.appendChild(el("p", `Only if: ${d.condition.text}`, { class: "condition" }));
    if (d.default) answer.appendChild(el("p", "The policy does not answer this, so it is denied.", { class: "condition" }));
    const facts = el("dl", null, { class: "facts" });
    const row = (term, node) => {
      facts.appendChild(el("dt", term));
      const dd = el("dd");
      dd.appendChild(node);
      facts.appendChild(dd);
    };
    if (d.rule) {
      const where = el("span");
      where.appendChild(link(`${d.rule.label}`, anchorOf(names.rows, d.rule.row) || anchorOf(names.incidents, d.rule.row)));
      where.appendChild(document.createTextNode(` (${cite(d.rule.file, d.rule.line)})`));
      row("Rule", where);
    }
    if (d.incident) {
      const what = el("span", null, { "data-incident": d.incident.id });
      what.appendChild(link(d.incident.label, anchorOf(names.incidents, d.incident.id)));
      row("Incident", what);
    }
    for (const [key, title] of [["referrals", "Referrals"], ["notifications", "Notifications"], ["sanctions", "Sanctions"]]) {
      const list = d[key] || [];
      if (list.length === 0) continue;
      const ul = el("ul", null, { "data-list": key });
      for (const r of list) {
        const to = (r.to || []).map((t) => t.title).join(", ");
        const li = el("li", r.label + (to ? ` → ${to}` : "") + (r.optional ? " (as appropriate)" : ""), { "data-id": r.id });
        ul.appendChild(li);
      }
      row(title, ul);
    }
    if (d.route) {
      const ol = el("ol", null, { "data-route": d.route.id });
      for (const s of d.route.steps) ol.appendChild(el("li", s.text + (s.pending ? ` (only if ${s.condition})` : ""), { value: s.number }));
      const box = el("div");
      box.appendChild(link(d.route.label, "part--" + d.route.id));
      box.appendChild(ol);
      row("Procedure", box);
    }
    answer.appendChild(facts);
    if (d.explanation && d.explanation.length) {
      answer.appendChild(el("p", "Why", { class: "why-title" }));
      const ol = el("ol", null, { class: "why" });
      for (const line of d.explanation) ol.appendChild(el("li", line));
      answer.appendChild(ol);
    }
  }

  // --- the editor: #edit ---------------------------------------------------
  // The policy's text beside its rendered page. Each edit is checked by the
  // same checker as `esafety check`; while the text has errors they are
  // listed at their lines, and when it checks clean the rendered side and
  // the Ask panel follow it.
  let request = null;
  let pending = null;
  // The lines the last check found problems at: line -> {severity, text}.
  let marks = new Map();

  // The line numbers beside the text, each line with a problem marked (its
  // message as the mark's title); scrolled with the text.
  function paintGutter() {
    const gutter = $("edit-gutter");
    const count = $("edit-text").value.split("\n").length;
    gutter.textContent = "";
    let plain = "";
    for (let line = 1; line <= count; line++) {
      const mark = marks.get(line);
      if (!mark) {
        plain += `${line}\n`;
        continue;
      }
      gutter.appendChild(document.createTextNode(plain));
      plain = "\n";
      gutter.appendChild(el("span", String(line), { class: mark.severity, "data-line": line, title: mark.text }));
    }
    gutter.appendChild(document.createTextNode(plain));
    gutter.scrollTop = $("edit-text").scrollTop;
  }

  function diagnosticsOf(loaded) {
    const list = $("edit-diagnostics");
    list.textContent = "";
    const own = loaded.diagnostics.filter((d) => d.path === request.path);
    marks = new Map();
    for (const d of own) {
      const text = `${d.severity}[${d.code}]: ${d.message}`;
      const before = marks.get(d.location.line);
      // An error outranks a warning on the same line; both are listed.
      if (!before || (before.severity !== "error" && d.severity === "error")) {
        marks.set(d.location.line, { severity: d.severity, text: before ? `${text}\n${before.text}` : text });
      } else {
        before.text += `\n${text}`;
      }
    }
    paintGutter();
    for (const d of own) {
      const li = el("li", null, { "data-line": d.location.line, "data-code": d.code, class: d.severity });
      const at = el("button", `line ${d.location.line}`, { type: "button", class: "goto" });
      at.addEventListener("click", () => goToLine(d.location.line));
      li.appendChild(at);
      li.appendChild(el("span", ` ${d.severity}[${d.code}]: ${d.message}`));
      li.appendChild(el("p", d.help, { class: "help" }));
      list.appendChild(li);
    }
    $("edit-status").textContent = loaded.ok
      ? (own.length ? `Checks clean of errors (${own.length} warning${own.length === 1 ? "" : "s"}).` : "Checks clean.")
      : `${own.filter((d) => d.severity === "error").length} error(s): the page below shows the last version without errors.`;
    $("edit").dataset.state = loaded.ok ? "clean" : "errors";
  }

  function goToLine(line) {
    const text = $("edit-text");
    const lines = text.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }

  function recheck() {
    pending = null;
    request.text = $("edit-text").value;
    request.render = true;
    // As `esafety check` does, the review date is checked against today.
    request.today = localNow().slice(0, 10);
    const loaded = call("esafety_load", JSON.stringify(request));
    diagnosticsOf(loaded);
    if (loaded.ok) {
      names = loaded.names;
      buildForm();
      $("edit-page").srcdoc = loaded.html || "";
    }
  }

  function startEditor() {
    if ($("edit").dataset.started) return;
    $("edit").dataset.started = "yes";
    $("edit-text").value = request.text;
    $("edit-text").addEventListener("input", () => {
      paintGutter();
      if (pending) clearTimeout(pending);
      pending = setTimeout(recheck, 250);
    });
    $("edit-text").addEventListener("scroll", () => {
      $("edit-gutter").scrollTop = $("edit-text").scrollTop;
    });
    $("edit-download").addEventListener("click", () => {
      const blob = new Blob([$("edit-text").value], { type: "text/plain" });
      const a = el("a", null, { href: URL.createObjectURL(blob), download: request.path.split("/").pop() });
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
    recheck();
  }

  function editing() {
    const on = location.hash === "#edit";
    $("edit").hidden = !on;
    if (on) startEditor();
  }

  // --- start --------------------------------------------------------------
  async function start() {
    const b64 = $("esafety-wasm").textContent.trim();
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    // Compiled at once where the browser allows it (Chromium does so on the
    // page's own thread up to 8 MB), so that a deep link is answered as
    // soon as the page has loaded; else in the background.
    const instance = bytes.length < 8000000
      ? new WebAssembly.Instance(new WebAssembly.Module(bytes), {})
      : (await WebAssembly.instantiate(bytes, {})).instance;
    wasm = instance.exports;
    request = JSON.parse($("esafety-policy").textContent);
    const loaded = call("esafety_load", JSON.stringify(request));
    if (!loaded.ok) {
      fail("This page's policy has errors; run `esafety check` on it.");
      return;
    }
    names = loaded.names;
    buildForm();
    for (const r of document.querySelectorAll('input[name="ask-kind"]')) r.addEventListener("change", showKind);
    $("ask-form").addEventListener("submit", (e) => {
      e.preventDefault();
      location.hash = formToHash();
    });
    window.addEventListener("hashchange", route);
    window.addEventListener("hashchange", editing);
    route();
    editing();
    $("ask").dataset.ready = String(Math.round(performance.now()));
  }

  window.esafetyReady = start().catch((e) => fail("The policy could not be loaded in this browser: " + e));
})();
