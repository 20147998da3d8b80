/* boneaxis page: form -> /api/simulate or /api/compare -> SVG charts. No dependencies. */
"use strict";
(() => {
const $ = (s, el = document) => el.querySelector(s);
const $$ = (s, el = document) => Array.from(el.querySelectorAll(s));
const SITES = ["lumbar_spine", "total_hip", "femoral_neck"];
const SITE_LABEL = { lumbar_spine: "lumbar spine", total_hip: "total hip", femoral_neck: "femoral neck" };
// unit conversion factors from the model units (molar masses: E2 272.38, T 288.42 g/mol)
const UNIT = {
  "pg/mL": 1, "pmol/L": 1000 / 272.38,
  "ng/dL": 1, "nmol/L": 10 / 288.42,
};
const COLORS = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490"];
const DASHES = ["", "6 3", "2 3", "10 3 2 3"];
const state = { drugs: [], phenotypes: [], ref: {}, last: null, compare: [], mode: "single" };

// ------------------------------------------------------------------ helpers
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v; else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) e.append(k);
  return e;
};
const svgEl = (tag, attrs = {}) => {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const num = (s) => { const v = parseFloat(s); return Number.isFinite(v) ? v : null; };
const fmt = (v, d = 3) => v === null || v === undefined || !Number.isFinite(v) ? "–"
  : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(d)).toString();
const b64enc = (obj) => btoa(unescape(encodeURIComponent(JSON.stringify(obj)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const b64dec = (s) => JSON.parse(decodeURIComponent(escape(atob(s.replace(/-/g, "+").replace(/_/g, "/")))));
const splitQty = (q) => { const m = /^\s*([-+]?[\d.eE+-]+)\s*(.*)$/.exec(String(q ?? "")); return m ? [parseFloat(m[1]), m[2]] : [null, ""]; };

async function api(path, body) {
  const opt = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch(path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { detail: [{ loc: [], msg: `server answered ${r.status}` }] }; }
  return { ok: r.ok, status: r.status, data };
}

// ------------------------------------------------------------------ treatments
function drugOptions(sel, value) {
  const groups = {};
  for (const d of state.drugs) (groups[d.kind] ||= []).push(d);
  for (const [kind, ds] of Object.entries(groups)) {
    const g = el("optgroup", { label: kind });
    for (const d of ds) g.append(el("option", { value: d.name, text: d.name.replace(/_/g, " ") }));
    sel.append(g);
  }
  sel.value = value;
}
let rowSeq = 0;
function addTreatment(t = {}) {
  const i = ++rowSeq;
  const d = state.drugs.find((x) => x.name === (t.drug || "anastrozole")) || state.drugs[0];
  const row = el("div", { class: "treatment", role: "group", "aria-label": "treatment" });
  const drug = el("select", { id: `t${i}-drug`, "data-k": "drug" });
  drugOptions(drug, d.name);
  const dose = el("input", { id: `t${i}-dose`, "data-k": "dose", value: t.dose ?? d.default_dose, placeholder: "1 mg" });
  const every = el("input", { id: `t${i}-every`, "data-k": "every", list: "every-options", value: t.every ?? d.default_every });
  const start = el("input", { id: `t${i}-start`, "data-k": "start", type: "number", step: "any", value: t.start ?? 0 });
  const stop = el("input", { id: `t${i}-stop`, "data-k": "stop", type: "number", step: "any", min: "0", placeholder: "end of run", value: t.stop ?? "" });
  drug.addEventListener("change", () => {
    const nd = state.drugs.find((x) => x.name === drug.value);
    if (nd) { dose.value = nd.default_dose; every.value = nd.default_every; }
  });
  const lab = (input, text) => { const l = el("label", { for: input.id }, text); l.append(input); return l; };
  const rm = el("button", { type: "button", "aria-label": "Remove this treatment", title: "Remove", text: "✕" });
  rm.addEventListener("click", () => { row.remove(); });
  row.append(lab(drug, "Drug"), lab(dose, "Dose"), lab(every, "Frequency"), lab(start, "Start (day)"), lab(stop, "Stop (day)"), rm);
  $("#treatments").append(row);
  return row;
}
const TRT = { drug: "testosterone_cypionate", dose: "100 mg", every: "weekly", start: -180 };
const PRESETS = {
  trt_ana: () => { setPhenotype("man"); clearTreatments(); addTreatment(TRT); addTreatment({ drug: "anastrozole", dose: "0.5 mg", every: "twice weekly", start: 0 }); },
  adjuvant: () => {
    if ($("#phenotype").value === "man") setPhenotype("postmenopausal_woman");
    clearTreatments(); addTreatment({ drug: "anastrozole", dose: "1 mg", every: "daily", start: 0, stop: 1826 });
    if ((num($("#duration").value) || 0) < 5) $("#duration").value = 5;
  },
  zol: () => addTreatment({ drug: "zoledronic_acid", dose: "4 mg", every: "6 months", start: 0 }),
  dmab: () => addTreatment({ drug: "denosumab", dose: "60 mg", every: "6 months", start: 0 }),
  none: () => clearTreatments(),
};
function clearTreatments() { $("#treatments").replaceChildren(); }
function setPhenotype(p) { $("#phenotype").value = p; phenotypeChanged(); }
function phenotypeChanged() {
  const post = $("#phenotype").value === "postmenopausal_woman";
  $("#ysm-row").hidden = !post;
  if (!post) $("#ysm").value = "";
}

// ------------------------------------------------------------------ form <-> scenario
function bmdToG(site, v) {
  if ($("#bmd-mode").value !== "T") return v;
  const [mean, sd] = state.ref[site];
  return mean + v * sd;
}
function scenarioFromForm() {
  const patient = { phenotype: $("#phenotype").value, age: num($("#age").value) ?? $("#age").value };
  const ysm = num($("#ysm").value);
  if (ysm !== null && patient.phenotype === "postmenopausal_woman") patient.years_since_menopause = ysm;
  const labs = {};
  const t = num($("#lab-t").value), e2 = num($("#lab-e2").value), lh = num($("#lab-lh").value);
  const shbg = num($("#lab-shbg").value);
  if (t !== null) labs.testosterone = `${t} ${$("#lab-t-unit").value}`;
  if (e2 !== null) labs.estradiol = `${e2} ${$("#lab-e2-unit").value}`;
  if (lh !== null) labs.lh = `${lh} IU/L`;
  if (shbg !== null) labs.shbg = `${shbg} nmol/L`;
  if (Object.keys(labs).length) patient.labs = labs;
  const bmd = {};
  for (const s of SITES) {
    const v = num($(`#bmd-${s}`).value);
    if (v !== null) bmd[s] = `${+bmdToG(s, v).toFixed(4)} g/cm2`;
  }
  if (Object.keys(bmd).length) patient.bmd = bmd;
  const treatments = $$("#treatments .treatment").map((row) => {
    const g = (k) => $(`[data-k="${k}"]`, row).value.trim();
    const tr = { drug: g("drug"), dose: g("dose"), every: g("every") };
    const st = num(g("start")), sp = num(g("stop"));
    tr.start = `${st ?? 0} days`;
    if (sp !== null) tr.stop = `${sp} days`;
    return tr;
  });
  return { patient, treatments, duration: `${num($("#duration").value) ?? $("#duration").value} years`, output_every: $("#output-every").value };
}
function formFromScenario(sc, ui = {}) {
  const p = sc.patient || {};
  setPhenotype(p.phenotype || "man");
  $("#age").value = p.age ?? "";
  $("#ysm").value = p.years_since_menopause ?? "";
  const labs = p.labs || {};
  const setLab = (id, q, unitSel) => {
    const [v, u] = splitQty(q);
    $(id).value = v ?? "";
    if (unitSel && u && Array.from($(unitSel).options).some((o) => o.value === u)) $(unitSel).value = u;
  };
  setLab("#lab-t", labs.testosterone, "#lab-t-unit");
  setLab("#lab-e2", labs.estradiol, "#lab-e2-unit");
  setLab("#lab-lh", labs.lh);
  setLab("#lab-shbg", labs.shbg);
  if (ui.t) $("#lab-t-unit").value = ui.t;
  if (ui.e2) $("#lab-e2-unit").value = ui.e2;
  $("#bmd-mode").value = "g/cm2"; bmdModeLabels();
  for (const s of SITES) $(`#bmd-${s}`).value = splitQty((p.bmd || {})[s])[0] ?? "";
  if (ui.bmd === "T") { $("#bmd-mode").value = "T"; convertBmdInputs("g/cm2", "T"); }
  clearTreatments();
  for (const t of sc.treatments || []) {
    addTreatment({ drug: t.drug, dose: t.dose, every: t.every, start: splitQty(t.start)[0] ?? 0, stop: t.stop !== undefined ? splitQty(t.stop)[0] : "" });
  }
  $("#duration").value = splitQty(sc.duration)[0] ?? 1;
  if (sc.output_every) $("#output-every").value = sc.output_every;
}
const uiState = () => ({ t: $("#lab-t-unit").value, e2: $("#lab-e2-unit").value, bmd: $("#bmd-mode").value });

// unit pickers convert the number already typed
function unitSwitch(input, sel) {
  let prev = sel.value;
  sel.addEventListener("change", () => {
    const v = num(input.value);
    if (v !== null) input.value = +(v / UNIT[prev] * UNIT[sel.value]).toPrecision(4);
    prev = sel.value;
    if (state.last) render();
  });
}
function bmdModeLabels() { for (const s of $$(".bmd-unit")) s.textContent = $("#bmd-mode").value === "T" ? "T-score" : "g/cm²"; }
function convertBmdInputs(from, to) {
  for (const s of SITES) {
    const v = num($(`#bmd-${s}`).value);
    if (v === null || from === to) continue;
    const [mean, sd] = state.ref[s];
    $(`#bmd-${s}`).value = to === "T" ? +((v - mean) / sd).toFixed(2) : +(mean + v * sd).toFixed(3);
  }
  bmdModeLabels();
}

// ------------------------------------------------------------------ errors
const FIELD = { age: "#age", years_since_menopause: "#ysm", phenotype: "#phenotype", testosterone: "#lab-t", estradiol: "#lab-e2", lh: "#lab-lh", shbg: "#lab-shbg", duration: "#duration", output_every: "#output-every" };
function fieldFor(loc) {
  const l = loc.filter((x) => x !== "body");
  if (l[0] === "scenarios") return null;
  if (l[0] === "treatments" && Number.isInteger(l[1])) {
    const row = $$("#treatments .treatment")[l[1]];
    if (!row) return null;
    return $(`[data-k="${l[2] || "drug"}"]`, row) || $(`[data-k="drug"]`, row);
  }
  if (l[1] === "bmd") return SITES.includes(l[2]) ? $(`#bmd-${l[2]}`) : $("#bmd-lumbar_spine");
  for (let i = l.length - 1; i >= 0; i--) if (FIELD[l[i]]) return $(FIELD[l[i]]);
  return null;
}
function showErrors(detail, prefix = "") {
  for (const e of $$("[aria-invalid]")) e.removeAttribute("aria-invalid");
  const box = $("#errors");
  box.replaceChildren();
  if (!detail || !detail.length) return;
  const ul = el("ul");
  for (const d of detail) {
    const loc = (d.loc || []).filter((x) => x !== "body").join(".");
    ul.append(el("li", { text: `${prefix}${loc ? loc + ": " : ""}${d.msg}` }));
    const f = fieldFor(d.loc || []);
    if (f) f.setAttribute("aria-invalid", "true");
  }
  box.append(el("strong", { text: "Please check the input:" }), ul);
}

// ------------------------------------------------------------------ running
async function runSingle(sc, push = true) {
  showErrors([]);
  $("#status").textContent = "Simulating…";
  $("#run").disabled = true;
  try {
    const r = await api("/api/simulate", sc);
    if (!r.ok) { showErrors(r.data.detail); $("#status").textContent = "The scenario was not run (see the messages above)."; return; }
    state.mode = "single"; state.last = { scenario: sc, data: r.data };
    if (push) history.replaceState(null, "", "#s=" + b64enc({ s: sc, u: uiState() }));
    render();
    const n = r.data.rows, end = r.data.columns.time_days[n - 1];
    $("#status").textContent = `Simulated ${fmt(end / 365.25)} years (${n} rows).`;
  } catch (e) {
    $("#status").textContent = `Could not reach the server: ${e}`;
  } finally { $("#run").disabled = false; }
}
async function runCompare(push = true) {
  showErrors([]);
  if (state.compare.length < 2) { $("#status").textContent = "Add at least two scenarios to compare."; return; }
  $("#status").textContent = "Comparing…";
  const body = { scenarios: state.compare.map((c) => ({ label: c.label, scenario: c.scenario })) };
  const r = await api("/api/compare", body);
  if (!r.ok) { showErrors(r.data.detail); $("#status").textContent = "The comparison was not run."; return; }
  state.mode = "compare"; state.last = { scenario: body, data: r.data };
  if (push) history.replaceState(null, "", "#c=" + b64enc({ c: body.scenarios, u: uiState() }));
  render();
  $("#status").textContent = `Compared ${r.data.series.length} scenarios.`;
}
function describe(sc) {
  const p = sc.patient;
  const tr = sc.treatments.map((t) => `${t.drug.replace(/_/g, " ")} ${t.dose} ${t.every}`).join(" + ") || "untreated";
  return `${p.phenotype.replace(/_/g, " ")} ${p.age} y: ${tr}`;
}
function renderCompareList() {
  const ol = $("#compare-list");
  ol.replaceChildren();
  state.compare.forEach((c, i) => {
    const id = `cmp-label-${i}`;
    const input = el("input", { id, value: c.label });
    input.addEventListener("input", () => { c.label = input.value; });
    const rm = el("button", { type: "button", text: "Remove", "aria-label": `Remove scenario ${i + 1}` });
    rm.addEventListener("click", () => { state.compare.splice(i, 1); renderCompareList(); });
    ol.append(el("li", {}, el("label", { for: id, class: "inline" }, `Scenario ${i + 1} name`), input, " ", rm));
  });
  $("#compare-box").hidden = state.compare.length === 0;
  $("#run-compare").disabled = state.compare.length < 2;
  $("#add-compare").disabled = state.compare.length >= 4;
}

// ------------------------------------------------------------------ charts
function niceTicks(lo, hi, n = 5) {
  if (!(hi > lo)) { hi = lo + 1; lo -= 1; }
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(10));
  return out;
}
function decimate(x, y, max = 1200) {
  if (x.length <= max) return x.map((xi, i) => [xi, y[i]]);
  const per = Math.ceil(x.length / (max / 2)), pts = [];
  for (let i = 0; i < x.length; i += per) {
    let lo = i, hi = i;
    for (let j = i; j < Math.min(i + per, x.length); j++) {
      if (y[j] === null) continue;
      if (y[lo] === null || y[j] < y[lo]) lo = j;
      if (y[hi] === null || y[j] > y[hi]) hi = j;
    }
    for (const j of lo < hi ? [lo, hi] : [hi, lo]) pts.push([x[j], y[j]]);
  }
  return pts;
}
function chart(spec) {
  // spec: {id, title, x, xLabel, yLabel, series: [{name, y, color, dash}], bands, yMin, yMax}
  const box = el("figure", { class: "chart", id: spec.id });
  box.append(el("h3", { text: spec.title }));
  const holder = el("div");
  box.append(holder);
  const legend = el("div", { class: "legend" });
  const hidden = new Set();
  const draw = () => {
    const W = Math.max(280, holder.clientWidth || 360), H = Math.round(Math.min(280, Math.max(200, W * 0.55)));
    const m = { l: 54, r: 10, t: 8, b: 40 };
    const xs = spec.x, vis = spec.series.filter((s) => !hidden.has(s.name));
    let lo = Infinity, hi = -Infinity;
    for (const s of vis) for (const v of s.y) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
    if (spec.yMin !== undefined) lo = Math.min(lo, spec.yMin);
    if (spec.yMax !== undefined) hi = Math.max(hi, spec.yMax);
    const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1; lo -= pad; hi += pad;
    const yt = niceTicks(lo, hi), xt = niceTicks(xs[0], xs[xs.length - 1], W < 420 ? 4 : 6);
    lo = Math.min(lo, yt[0]); hi = Math.max(hi, yt[yt.length - 1]);
    const x0 = xs[0], x1 = xs[xs.length - 1] > x0 ? xs[xs.length - 1] : x0 + 1;
    const px = (v) => m.l + (v - x0) / (x1 - x0) * (W - m.l - m.r);
    const py = (v) => m.t + (hi - v) / (hi - lo) * (H - m.t - m.b);
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", tabindex: "0",
      "aria-label": `${spec.title}: ${spec.yLabel} against ${spec.xLabel}; use the left and right arrow keys to read values` });
    for (const b of spec.bands || []) {
      const a = Math.max(lo, Math.min(hi, b.from)), c = Math.max(lo, Math.min(hi, b.to));
      if (c > a) {
        svg.append(svgEl("rect", { x: m.l, width: W - m.l - m.r, y: py(c), height: py(a) - py(c), fill: b.color }));
        const t = svgEl("text", { x: W - m.r - 4, y: py(c) + 12, "text-anchor": "end", "font-size": 10, fill: "#555" }); t.textContent = b.label; svg.append(t);
      }
    }
    const g = svgEl("g", { "font-size": 11, fill: "#333" });
    for (const v of yt) {
      if (v < lo || v > hi) continue;
      g.append(svgEl("line", { x1: m.l, x2: W - m.r, y1: py(v), y2: py(v), stroke: "#e5e7eb" }));
      const t = svgEl("text", { x: m.l - 4, y: py(v) + 4, "text-anchor": "end" }); t.textContent = fmt(v, 4); g.append(t);
    }
    for (const v of xt) {
      if (v < x0 || v > x1) continue;
      g.append(svgEl("line", { x1: px(v), x2: px(v), y1: H - m.b, y2: H - m.b + 4, stroke: "#333" }));
      const t = svgEl("text", { x: px(v), y: H - m.b + 16, "text-anchor": "middle" }); t.textContent = fmt(v, 4); g.append(t);
    }
    g.append(svgEl("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, stroke: "#333" }));
    g.append(svgEl("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, stroke: "#333" }));
    const xl = svgEl("text", { x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle", class: "axis-label" }); xl.textContent = spec.xLabel; g.append(xl);
    const yl = svgEl("text", { x: 0, y: 0, transform: `translate(12 ${(m.t + H - m.b) / 2}) rotate(-90)`, "text-anchor": "middle", class: "axis-label" }); yl.textContent = spec.yLabel; g.append(yl);
    svg.append(g);
    for (const s of vis) {
      let d = "", pen = false;
      for (const [xv, yv] of decimate(xs, s.y)) {
        if (yv === null || !Number.isFinite(yv)) { pen = false; continue; }
        d += `${pen ? "L" : "M"}${px(xv).toFixed(1)} ${py(yv).toFixed(1)}`; pen = true;
      }
      svg.append(svgEl("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.8, "stroke-dasharray": s.dash || "", class: "series", "data-name": s.name }));
    }
    // cursor + tooltip (mouse, touch, keyboard)
    const cur = svgEl("line", { y1: m.t, y2: H - m.b, stroke: "#888", "stroke-dasharray": "3 3", visibility: "hidden" });
    const tip = svgEl("g", { class: "tip", visibility: "hidden" });
    svg.append(cur, tip);
    let idx = -1;
    const show = (i) => {
      idx = Math.max(0, Math.min(xs.length - 1, i));
      const X = px(xs[idx]);
      cur.setAttribute("x1", X); cur.setAttribute("x2", X); cur.setAttribute("visibility", "visible");
      tip.replaceChildren();
      const lines = [`${spec.xLabel.split(" (")[0]} ${fmt(xs[idx], 4)}`, ...vis.map((s) => `${s.name}: ${fmt(s.y[idx], 4)}`)];
      const w = Math.min(W - m.l - m.r, 8 + 6.2 * Math.max(...lines.map((l) => l.length))), h = 6 + 14 * lines.length;
      const tx = X + 8 + w > W - m.r ? X - 8 - w : X + 8;
      tip.append(svgEl("rect", { x: tx, y: m.t + 2, width: w, height: h, fill: "#fff", stroke: "#999", rx: 3, opacity: 0.95 }));
      lines.forEach((l, k) => { const t = svgEl("text", { x: tx + 4, y: m.t + 16 + 14 * k }); t.textContent = l; tip.append(t); });
      tip.setAttribute("visibility", "visible");
    };
    const nearest = (clientX) => {
      const r = svg.getBoundingClientRect(), v = x0 + ((clientX - r.left) * W / r.width - m.l) / (W - m.l - m.r) * (x1 - x0);
      let a = 0, b = xs.length - 1;
      while (b - a > 1) { const c = (a + b) >> 1; if (xs[c] < v) a = c; else b = c; }
      return Math.abs(xs[a] - v) < Math.abs(xs[b] - v) ? a : b;
    };
    svg.addEventListener("pointermove", (e) => show(nearest(e.clientX)));
    svg.addEventListener("pointerleave", () => { cur.setAttribute("visibility", "hidden"); tip.setAttribute("visibility", "hidden"); });
    svg.addEventListener("keydown", (e) => {
      const stepK = Math.max(1, Math.round(xs.length / 100));
      if (e.key === "ArrowRight") { show(idx < 0 ? 0 : idx + stepK); e.preventDefault(); }
      else if (e.key === "ArrowLeft") { show(idx < 0 ? xs.length - 1 : idx - stepK); e.preventDefault(); }
      else if (e.key === "Home") { show(0); e.preventDefault(); }
      else if (e.key === "End") { show(xs.length - 1); e.preventDefault(); }
    });
    holder.replaceChildren(svg);
  };
  for (const s of spec.series) {
    const b = el("button", { type: "button", "aria-pressed": "true", title: "Show or hide this line" });
    b.append(el("span", { class: "swatch", style: `background:${s.color};${s.dash ? "background:repeating-linear-gradient(90deg," + s.color + " 0 5px,transparent 5px 8px)" : ""}` }), s.name);
    b.addEventListener("click", () => { hidden.has(s.name) ? hidden.delete(s.name) : hidden.add(s.name); b.setAttribute("aria-pressed", String(!hidden.has(s.name))); draw(); });
    legend.append(b);
  }
  box.append(legend);
  box._draw = draw;
  return box;
}

function chartSpecs(runs, x, xLabel) {
  // runs: [{label, cols}]; one colour per run in compare mode, one per variable otherwise
  const e2u = $("#lab-e2-unit").value, tu = $("#lab-t-unit").value, multi = runs.length > 1;
  const mk = (id, title, yLabel, vars, extra = {}) => {
    const series = [];
    runs.forEach((r, ri) => vars.forEach(([col, name, f], vi) => {
      if (!(col in r.cols)) return;
      const y = f ? r.cols[col].map((v) => (v === null ? null : v * f)) : r.cols[col];
      series.push({ name: multi ? `${r.label}${vars.length > 1 ? " · " + name : ""}` : name, y,
        color: COLORS[(multi ? ri : vi) % COLORS.length], dash: DASHES[(multi ? vi : 0) % DASHES.length] });
    }));
    return { id, title, x, xLabel, yLabel, series, ...extra };
  };
  const sites = (kind) => SITES.map((s) => [`${kind === "t" ? "t_score_" + s : "bmd_" + s + "_pct_change"}`, SITE_LABEL[s]]);
  return [
    mk("chart-anastrozole", "Anastrozole level", "anastrozole (ng/mL)", [["anastrozole_ng_ml", "anastrozole"]]),
    mk("chart-e2", "Estradiol (serum)", `estradiol (${e2u})`, [["estradiol_pg_ml", "E2", UNIT[e2u]]]),
    mk("chart-t", "Testosterone (serum)", `testosterone (${tu})`, [["testosterone_ng_dl", "T", UNIT[tu]]]),
    mk("chart-lh", "LH", "LH (IU/L)", [["lh_iu_l", "LH"]]),
    mk("chart-bmd", "BMD change per site", "BMD change from baseline (%)", sites("pct")),
    mk("chart-tscore", "T-score per site", "T-score (SD)", sites("t"), {
      yMin: -3, yMax: 0,
      bands: [{ from: -1, to: 99, color: "#ecfdf3", label: "normal (≥ −1)" },
              { from: -2.5, to: -1, color: "#fffbeb", label: "osteopenia (−1 to −2.5)" },
              { from: -99, to: -2.5, color: "#fef2f2", label: "osteoporosis (≤ −2.5)" }] }),
    mk("chart-turnover", "Bone turnover markers", "change from baseline (%)", [["ctx_pct_change", "CTX (resorption)"], ["p1np_pct_change", "P1NP (formation)"]]),
    mk("chart-fracture", "10-year fracture risk", "10-year probability (%)", [["fracture_risk_10y_major_pct", "major osteoporotic"], ["fracture_risk_10y_hip_pct", "hip"]]),
  ];
}

function table(headers, rows) {
  const t = el("table");
  const tr = el("tr");
  for (const h of headers) tr.append(el("th", { scope: "col", text: h }));
  t.append(el("thead", {}, tr));
  const tb = el("tbody");
  for (const r of rows) { const row = el("tr"); r.forEach((c) => row.append(el("td", { text: typeof c === "number" ? fmt(c) : c }))); tb.append(row); }
  t.append(tb);
  return el("div", { class: "table-wrap" }, t);
}

function render() {
  const { data } = state.last;
  let runs, days, warnings = [];
  if (state.mode === "single") {
    runs = [{ label: "scenario", cols: data.columns }];
    days = data.columns.time_days;
    warnings = data.warnings;
  } else {
    runs = data.series.map((s) => ({ label: s.label, cols: s.columns }));
    days = data.time_days;
    for (const s of data.series) for (const w of s.warnings) warnings.push(`${s.label}: ${w}`);
  }
  const years = days[days.length - 1] >= 365;
  const x = years ? days.map((d) => d / 365.25) : days, xLabel = years ? "time (years)" : "time (days)";
  $("#warnings").replaceChildren(...warnings.map((w) => el("p", { text: "warning: " + w })));
  const e2u = $("#lab-e2-unit").value, tu = $("#lab-t-unit").value;
  if (state.mode === "single") {
    const c = data.columns, n = days.length - 1;
    const rows = [
      [`estradiol (${e2u})`, "estradiol_pg_ml", UNIT[e2u]], [`testosterone (${tu})`, "testosterone_ng_dl", UNIT[tu]],
      ["LH (IU/L)", "lh_iu_l", 1], ["CTX change (%)", "ctx_pct_change", 1], ["P1NP change (%)", "p1np_pct_change", 1],
      ["lumbar spine BMD change (%)", "bmd_lumbar_spine_pct_change", 1], ["total hip BMD change (%)", "bmd_total_hip_pct_change", 1],
      ["femoral neck T-score", "t_score_femoral_neck", 1], ["10-year major fracture risk (%)", "fracture_risk_10y_major_pct", 1],
    ].map(([lab, col, f]) => [lab, c[col][0] * f, c[col][n] * f]);
    $("#summary").replaceChildren(el("h3", { text: "Summary" }), table(["", "baseline", `day ${fmt(days[n], 5)}`], rows));
  } else {
    const cols = Object.entries(data.table_columns);
    const rows = data.table.map((r) => [r.scenario, r.year, ...cols.map(([k]) => r.values[k])]);
    $("#summary").replaceChildren(el("h3", { text: "Summary (weekly mean before each time point)" }),
      table(["scenario", "year", ...cols.map(([, v]) => v)], rows));
  }
  const charts = chartSpecs(runs, x, xLabel).filter((s) => s.series.length).map(chart);
  $("#charts").replaceChildren(...charts);
  for (const c of charts) c._draw();
  $("#downloads").hidden = false;
}

// ------------------------------------------------------------------ downloads
function download(name, text, type) {
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a); a.click(); setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
function csvText() {
  const { data } = state.last;
  let head, cols;
  if (state.mode === "single") { head = Object.keys(data.columns); cols = head.map((k) => data.columns[k]); }
  else {
    head = ["time_days"]; cols = [data.time_days];
    for (const s of data.series) for (const [k, v] of Object.entries(s.columns)) { head.push(`${s.label}: ${k}`); cols.push(v); }
  }
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [head.map(q).join(",")];
  for (let i = 0; i < cols[0].length; i++) lines.push(cols.map((c) => (c[i] === null ? "" : c[i])).join(","));
  return lines.join("\n") + "\n";
}

// ------------------------------------------------------------------ init
async function init() {
  const [d, p] = await Promise.all([api("/api/drugs"), api("/api/phenotypes")]);
  state.drugs = d.data.drugs; state.phenotypes = p.data.phenotypes; state.ref = p.data.t_score_reference;
  for (const ph of state.phenotypes) $("#phenotype").append(el("option", { value: ph.name, text: ph.label }));
  $("#phenotype").addEventListener("change", phenotypeChanged);
  unitSwitch($("#lab-t"), $("#lab-t-unit"));
  unitSwitch($("#lab-e2"), $("#lab-e2-unit"));
  let bmdPrev = "g/cm2";
  $("#bmd-mode").addEventListener("change", () => { convertBmdInputs(bmdPrev, $("#bmd-mode").value); bmdPrev = $("#bmd-mode").value; });
  $("#add-treatment").addEventListener("click", () => { const r = addTreatment(); $("select", r).focus(); });
  for (const b of $$("[data-preset]")) b.addEventListener("click", () => PRESETS[b.dataset.preset]());
  $("#scenario-form").addEventListener("submit", (e) => { e.preventDefault(); runSingle(scenarioFromForm()); });
  $("#add-compare").addEventListener("click", () => {
    if (state.compare.length >= 4) return;
    const sc = scenarioFromForm();
    state.compare.push({ label: describe(sc).slice(0, 80), scenario: sc });
    renderCompareList();
    $("#status").textContent = `Scenario ${state.compare.length} added to the comparison` + (state.compare.length < 2 ? "; change the form and add another." : ".");
  });
  $("#run-compare").addEventListener("click", () => runCompare());
  $("#clear-compare").addEventListener("click", () => { state.compare = []; renderCompareList(); });
  $("#download-csv").addEventListener("click", () => download(state.mode === "single" ? "boneaxis.csv" : "boneaxis-compare.csv", csvText(), "text/csv"));
  $("#download-scenario").addEventListener("click", () => {
    const s = state.last.scenario;
    download(state.mode === "single" ? "scenario.json" : "scenarios.json", JSON.stringify(state.mode === "single" ? s : s.scenarios, null, 2) + "\n", "application/json");
  });
  $("#copy-link").addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(location.href); $("#status").textContent = "Link copied."; }
    catch (e) { $("#status").textContent = `Link: ${location.href}`; }
  });
  let rt; window.addEventListener("resize", () => { clearTimeout(rt); rt = setTimeout(() => { for (const c of $$(".chart")) c._draw && c._draw(); }, 150); });
  // the scenario is in the URL: reload gives the same result
  const h = location.hash;
  try {
    if (h.startsWith("#s=")) { const v = b64dec(h.slice(3)); formFromScenario(v.s, v.u); runSingle(v.s, false); return; }
    if (h.startsWith("#c=")) {
      const v = b64dec(h.slice(3));
      state.compare = v.c.map((c) => ({ label: c.label, scenario: c.scenario }));
      formFromScenario(state.compare[0].scenario, v.u); renderCompareList(); runCompare(false); return;
    }
  } catch (e) { $("#status").textContent = "The link could not be read; showing the default scenario."; }
  formFromScenario({ patient: { phenotype: "man", age: 67, labs: { testosterone: "319 ng/dL", estradiol: "15 pg/mL", lh: "5 IU/L" } },
    treatments: [{ ...TRT, start: "-180 days" }, { drug: "anastrozole", dose: "0.5 mg", every: "twice weekly", start: "0 days" }],
    duration: "2 years", output_every: "1 day" });
}
document.addEventListener("DOMContentLoaded", init);
})();
