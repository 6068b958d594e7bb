// The workspace's scripts: the table grid, the live tune panel and the job page. Plain JavaScript,
// no build step; every request carries the page's CSRF token.
"use strict";

const TOKEN = () => document.querySelector('meta[name="csrf-token"]').content;
const LANG = () => document.body.dataset.lang || "en";
let WORDS = null;

// The page's words in its language (planner/web/i18n.py SCRIPT), "{0}"... filled from `args`.
function T(key, ...args) {
  if (WORDS === null) WORDS = JSON.parse(document.body.dataset.words || "{}");
  const text = WORDS[key] === undefined ? key : WORDS[key];
  return text.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

async function send(method, url, body) {
  const res = await fetch(url, {
    method: method,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": TOKEN() },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  return { status: res.status, data: data };
}

function debounce(fn, ms) {
  let timer = null;
  return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

function fmt(key, value) {
  if (value === null || value === undefined) return "–";
  if (key === "green_share") return (value * 100).toFixed(1) + "%";
  if (key === "emissions_mt_co2") return value.toLocaleString("en", { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  return Math.round(value).toLocaleString("en");
}

function listProblems(ul, items) {
  ul.replaceChildren(...items.map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
}

// ---------------------------------------------------------------- grid

function initGrid(grid) {
  const base = `/api/cases/${grid.dataset.case}/tables/${grid.dataset.table}`;
  const columns = Array.from(grid.querySelectorAll("thead th")).slice(1).map((th) => th.dataset.col);
  const status = document.getElementById("grid-status");
  const save = document.getElementById("grid-save");
  const other = document.getElementById("grid-other");
  let seq = 0;

  const rows = () => Array.from(grid.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("input")).map((i) => i.value));

  function show(result) {
    grid.querySelectorAll("td.bad").forEach((td) => { td.classList.remove("bad"); td.querySelector(".msg")?.remove(); td.querySelector("input").removeAttribute("aria-invalid"); });
    const trs = grid.querySelectorAll("tbody tr");
    for (const cell of result.cells || []) {
      const tr = trs[cell.row];
      const input = tr && tr.querySelector(`input[data-col="${CSS.escape(cell.column)}"]`);
      if (!input) { (result.other = result.other || []).push(cell.message); continue; }
      const td = input.parentElement;
      td.classList.add("bad");
      input.setAttribute("aria-invalid", "true");
      let msg = td.querySelector(".msg");
      if (!msg) { msg = document.createElement("div"); msg.className = "msg"; td.appendChild(msg); }
      msg.textContent = msg.textContent ? msg.textContent + "\n" + cell.message : cell.message;
    }
    listProblems(other, result.other || []);
  }

  async function check() {
    const mine = ++seq;
    status.textContent = T("checking");
    const res = await send("POST", base + "/check", { columns: columns, rows: rows() });
    if (mine !== seq) return;
    if (res.status !== 200) { status.textContent = T("check_failed", res.status); return; }
    show(res.data);
    const n = (res.data.cells || []).length + (res.data.other || []).length;
    status.textContent = res.data.ok ? T("validates") : T("problems", n);
    status.className = res.data.ok ? "ok" : "bad";
    save.disabled = !res.data.ok;
  }
  const later = debounce(check, 300);

  grid.addEventListener("input", () => { save.disabled = true; status.textContent = T("edited"); later(); });
  document.getElementById("grid-add").addEventListener("click", () => {
    const body = grid.querySelector("tbody");
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = T("new");
    tr.appendChild(th);
    for (const c of columns) {
      const td = document.createElement("td");
      const input = document.createElement("input");
      input.dataset.col = c;
      input.setAttribute("aria-label", T("new_row", c));
      td.appendChild(input);
      tr.appendChild(td);
    }
    body.appendChild(tr);
    tr.querySelector("input").focus();
  });
  save.addEventListener("click", async () => {
    save.disabled = true;
    status.textContent = T("saving");
    const res = await send("PUT", base, { columns: columns, rows: rows() });
    if (res.status === 200) { status.textContent = T("saved", res.data.version); window.location.href = `/cases/${grid.dataset.case}`; return; }
    if (res.data) show(res.data);
    status.textContent = T("not_saved", res.status);
  });
}

// ---------------------------------------------------------------- tune

function initTune(panel) {
  const form = document.getElementById("tune-form");
  const status = document.getElementById("tune-status");
  const problems = document.getElementById("tune-problems");
  const table = document.getElementById("headline");
  const caseId = panel.dataset.case;
  let seq = 0;

  const settings = () => {
    const out = {};
    form.querySelectorAll('input[type="number"]').forEach((i) => { out[i.name] = i.value === "" ? null : i.value; });
    return out;
  };

  async function whatif() {
    const mine = ++seq;
    status.textContent = T("solving");
    panel.classList.add("busy");
    const t0 = performance.now();
    const res = await send("POST", `/api/cases/${caseId}/whatif`, { settings: settings() });
    if (mine !== seq) return;
    panel.classList.remove("busy");
    const ms = Math.round(performance.now() - t0);
    if (res.status !== 200) { status.textContent = T("whatif_failed", res.status); return; }
    listProblems(problems, res.data.problems || []);
    if (!res.data.ok) { status.textContent = T("invalid"); return; }
    for (const td of table.querySelectorAll("td[data-key]")) td.textContent = fmt(td.dataset.key, res.data.headline[td.dataset.key]);
    const binds = res.data.binds || [];
    document.getElementById("tune-binds").textContent = binds.length
      ? T("binds") + binds.map((b) => T("bind", WORDS["family:" + b.family] || b.family, b.rows, b.largest_dual.toPrecision(3), WORDS["unit:" + b.unit] || b.unit)).join(" · ")
      : "";
    const how = T(res.data.how === "warm" ? "warm" : "built");
    status.textContent = T("timing", T("status:" + res.data.status), how, Math.round(res.data.elapsed_s * 1000), ms);
    table.dataset.seq = String(mine);
  }
  const later = debounce(whatif, 250);

  form.addEventListener("input", (ev) => {
    const t = ev.target;
    if (t.type === "range") document.getElementById(t.dataset.for).value = t.value;
    else { const r = form.querySelector(`input[type="range"][data-for="${t.id}"]`); if (r && t.value !== "") r.value = t.value; }
    later();
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());
  document.getElementById("tune-save").addEventListener("click", async () => {
    const res = await send("PUT", `/api/cases/${caseId}/settings`, { settings: settings(), note: "tuned settings" });
    if (res.status === 200) { window.location.reload(); return; }
    listProblems(problems, (res.data && res.data.other) || [T("not_saved", res.status)]);
  });
  document.getElementById("tune-example").addEventListener("change", async (ev) => {
    const note = document.getElementById("tune-example-note");
    if (!ev.target.value) { note.textContent = ""; return; }
    const res = await send("GET", `/api/examples/${encodeURIComponent(ev.target.value)}/settings`);
    if (res.status !== 200) { note.textContent = T("example_failed", res.status); return; }
    for (const [key, value] of Object.entries(res.data.settings)) {
      const input = form.querySelector(`input[type="number"][name="${CSS.escape(key)}"]`);
      if (input) { input.value = value === null ? "" : value; const r = form.querySelector(`input[type="range"][data-for="${input.id}"]`); if (r && value !== null) r.value = value; }
    }
    const skipped = [...res.data.other_settings, ...res.data.tables.map((t) => `${t}.csv`)];
    const about = ev.target.selectedOptions[0].dataset.description;
    note.textContent = (about ? about + " " : "") + (Object.keys(res.data.settings).length ? "" : T("example_nothing"));
    if (skipped.length) note.textContent += T("example_skipped", skipped.join(", "));
    whatif();
  });
  document.getElementById("tune-overlay").addEventListener("click", async () => {
    const res = await fetch(`/api/cases/${caseId}/overlay.yaml?name=whatif_case${caseId}`, {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": TOKEN() },
      body: JSON.stringify({ settings: settings() }), credentials: "same-origin",
    });
    if (!res.ok) { listProblems(problems, [T("overlay_failed", res.status)]); return; }
    const a = document.createElement("a");
    a.href = URL.createObjectURL(await res.blob());
    a.download = `whatif_case${caseId}.yaml`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  whatif();
  // A page the browser restored from its back-forward cache keeps this script's state but not the server's:
  // ask for the headline of the inputs as they are now (the form may also have been restored by the browser).
  window.addEventListener("pageshow", (ev) => { if (ev.persisted) whatif(); });
}

// ---------------------------------------------------------------- solve form

function initSolve(form) {
  const resolution = form.querySelector('select[name="resolution"]');
  const days = form.querySelector('input[name="days"]');
  const warning = document.getElementById("solve-hourly-warning");
  const show = () => {
    days.parentElement.hidden = resolution.value !== "days";
    days.disabled = resolution.value !== "days";
    warning.hidden = resolution.value !== "hours";
  };
  resolution.addEventListener("change", show);
  window.addEventListener("pageshow", show);  // the browser may restore the select's value on going back
  show();
}

// ---------------------------------------------------------------- job

function initJob(box) {
  const id = box.dataset.job;
  const FINAL = ["done", "failed", "infeasible", "cancelled", "interrupted"];
  async function poll() {
    const res = await send("GET", `/api/jobs/${id}?lang=${LANG()}`);
    if (res.status !== 200) return;
    const j = res.data;
    const st = document.getElementById("job-status");
    st.replaceChildren(Object.assign(document.createElement("span"), { className: `status status-${j.status}`, textContent: j.status_text }));
    document.getElementById("job-stage").textContent = j.stage_text;
    document.getElementById("job-elapsed").textContent = j.elapsed_s === null ? "–" : `${j.elapsed_s.toFixed(1)} ${T("seconds")}`;
    const message = document.getElementById("job-message");
    message.textContent = message.tagName === "PRE" ? j.message : j.message_text;
    const log = document.getElementById("job-log");
    log.textContent = j.log_tail || T("no_log");
    log.scrollTop = log.scrollHeight;
    const running = !FINAL.includes(j.status);
    document.getElementById("job-cancel-form").hidden = !running;
    document.getElementById("job-rerun-form").hidden = running;
    if (j.plan_id) {
      document.getElementById("job-plan-link").href = `/plans/${j.plan_id}`;
      document.getElementById("job-plan").hidden = false;
    }
    const was = box.dataset.status;
    box.dataset.status = j.status;
    if (running) setTimeout(poll, 1000);
    else if (box.dataset.kind !== "solve" && !FINAL.includes(was)) location.reload();  // the sweep table or diagnosis
  }
  const log = document.getElementById("job-log");
  log.scrollTop = log.scrollHeight;  // the tail's last lines (the solver's verdict) in view
  if (!FINAL.includes(box.dataset.status)) setTimeout(poll, 500);
}

document.addEventListener("DOMContentLoaded", () => {
  const grid = document.getElementById("grid");
  if (grid) initGrid(grid);
  const tune = document.getElementById("tune");
  if (tune) initTune(tune);
  const job = document.getElementById("job");
  if (job) initJob(job);
  const solve = document.querySelector("form.solve select[name=resolution]");
  if (solve) initSolve(solve.form);
});
