// The supervisors' dashboard: every figure comes from one GET /api/v1/stats for the picked period (days in the hub's
// time zone), drawn with the plotly.js the hub serves from its installed plotly package.
import { el, fillWords, fmt, loadStrings, pickLang, signedInPage, toast } from "/console/static/common.js";

const DAY_MS = 86400000;
const CONFIG = { displayModeBar: false, responsive: true };
const COLORS = ["#1d4ed8", "#059669", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569",
  "#ea580c"];

const T = await loadStrings(pickLang());
fillWords(T);
document.title = T.dashboard;

const $ = (selector) => document.querySelector(selector);
const board = $("[data-testid=dashboard]");
const { session, start } = signedInPage(T, board, { onSignedIn: showBoard });
const range = $("[data-testid=range]");
const problem = $("[data-testid=dashboard-problem]");

setUpRange();
await start();

async function showBoard() {
  if (!session.may("supervisor")) {
    problem.hidden = false;
    problem.textContent = T.needsSupervisor;
    range.hidden = true;
    return;
  }
  await show();
}

// ---- the period: local days in the hub's time zone ----
function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: T.timezone }).format(new Date());
}

function shiftDay(day, days) {
  return new Date(Date.parse(day + "T00:00:00Z") + days * DAY_MS).toISOString().slice(0, 10);
}

// The instant a local day starts in the hub's time zone.
function startOf(day) {
  const guess = Date.parse(day + "T00:00:00Z");
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: T.timezone, hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
    .formatToParts(new Date(guess)).map((p) => [p.type, p.value]));
  const seen = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return new Date(guess - (seen - guess)).toISOString();
}

function setUpRange() {
  const last = (days) => {
    range.to.value = today();
    range.from.value = shiftDay(range.to.value, 1 - days);
  };
  last(30);
  for (const button of range.querySelectorAll("[data-days]")) {
    button.addEventListener("click", () => { last(Number(button.dataset.days)); show(); });
  }
  range.addEventListener("submit", (event) => { event.preventDefault(); show(); });
}

async function show() {
  if (range.from.value > range.to.value) [range.from.value, range.to.value] = [range.to.value, range.from.value];
  const params = new URLSearchParams({ since: startOf(range.from.value), until: startOf(shiftDay(range.to.value, 1)) });
  let stats;
  try {
    stats = await session.get("/stats?" + params);
  } catch (e) {
    if (e.status !== 401) toast(fmt(T.failed, { message: e.message }), "error");
    return;
  }
  tiles(stats);
  charts(stats);
}

// ---- figures ----
const percent = (value) => (value === null ? "—" : `${(value * 100).toFixed(1)}%`);
const number = (value, digits = 1) => (value === null ? "—" : value.toFixed(digits));

function tiles(s) {
  const first = s.sla.find((a) => a.target === "first_response");
  const resolution = s.sla.find((a) => a.target === "resolution");
  const entries = [
    ["total", T.total, String(s.total)],
    ["first-response", T.attainmentFirst, percent(first.attainment)],
    ["resolution", T.attainmentResolution, percent(resolution.attainment)],
    ["csat", T.csat, number(s.csat_average, 2)],
    ["nps", T.nps, number(s.nps)],
    ["deflections", T.deflection, String(s.kb_deflections)],
  ];
  $("[data-testid=tiles]").replaceChildren(...entries.map(([id, label, value]) =>
    el("div", { className: "tile", "data-testid": `tile-${id}` }, el("div", { className: "label", text: label }),
      el("div", { className: "value", "data-testid": "tile-value", text: value }))));
}

function layout(title, extra = {}) {
  return { title: { text: title, font: { size: 15 } }, margin: { t: 48, r: 16, b: 48, l: 48 }, height: 320,
    legend: { orientation: "h", y: -0.2 }, font: { family: getComputedStyle(document.body).fontFamily },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", colorway: COLORS, ...extra };
}

function draw(id, traces, title, extra) {
  const box = $(`[data-testid=chart-${id}]`);
  const empty = traces.every((t) => (t.y || t.x || t.values || []).every((v) => !v));
  const shown = empty ? [] : traces;
  const annotations = empty ? [{ text: T.noData, showarrow: false, font: { size: 14, color: "#6b7280" } }] : [];
  window.Plotly.react(box, shown, layout(title, { annotations, ...extra }), CONFIG);
}

function series(periods, byKey, names) {
  return Object.entries(byKey).map(([key, counts]) => ({ type: "bar", name: names[key] || key, x: periods, y: counts }));
}

function charts(s) {
  const time = s.volume_over_time;
  draw("volume-type", series(time.periods, time.by_type, T.types), T.volumeByType, { barmode: "stack" });
  draw("volume-channel", series(time.periods, time.by_channel, T.channels), T.volumeByChannel, { barmode: "stack" });
  const open = Object.entries(s.open_by_status);
  draw("open-status", [{ type: "bar", x: open.map(([k]) => T.statuses[k]), y: open.map(([, n]) => n),
    marker: { color: COLORS[0] } }], T.openByStatus);
  const targets = s.sla.map((a) => T.sla_targets[a.target]);
  draw("sla", [["met", "#059669"], ["warned", "#d97706"], ["breached", "#dc2626"]].map(([key, color]) => ({
    type: "bar", name: T[key], x: targets, y: s.sla.map((a) => a[key]), marker: { color } })), T.slaAttainment,
  { barmode: "group" });
  const over = s.satisfaction_over_time;
  draw("satisfaction", [
    { type: "scatter", mode: "lines+markers", name: T.csatAverage, x: over.map((p) => p.period),
      y: over.map((p) => p.csat_average) },
    { type: "scatter", mode: "lines+markers", name: T.npsScore, x: over.map((p) => p.period),
      y: over.map((p) => p.nps), yaxis: "y2" }], T.satisfactionOverTime,
  { yaxis: { range: [1, 5], title: { text: "CSAT" } },
    yaxis2: { range: [-100, 100], overlaying: "y", side: "right", title: { text: "NPS" } } });
  const load = s.technician_load;
  draw("load", [
    { type: "bar", name: T.openJobs, x: load.map((l) => l.name), y: load.map((l) => l.open_jobs) },
    { type: "bar", name: T.capacity, x: load.map((l) => l.name), y: load.map((l) => l.capacity),
      marker: { color: "#cbd5e1" } }], T.load, { barmode: "group" });
  ranked("products", s.top_products, T.topProducts, T.tickets);
  ranked("models", s.top_models, T.topModels, T.tickets);
  ranked("repeats", s.repeat_repairs, T.repeatRepairs, T.repairs);
  const kb = s.knowledge;
  draw("knowledge", [{ type: "bar", x: [T.kbAnswers, T.kbHelpful, T.kbDeflections],
    y: [kb.answers, kb.helpful, s.kb_deflections], marker: { color: [COLORS[0], COLORS[1], COLORS[2]] } }], T.knowledge);
}

function ranked(id, rows, title, axis) {
  const top = rows.slice().reverse();
  draw(id, [{ type: "bar", orientation: "h", name: axis, x: top.map((r) => r.count), y: top.map((r) => r.value) }],
    title, { margin: { t: 48, r: 16, b: 40, l: 120 } });
}
