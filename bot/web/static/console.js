// The agent console: the ticket queue with filters and counts per queue, live updates from /console/events, keyboard
// navigation, and one ticket whole — its conversation across channels, details, SLA, audit trail — with replies,
// notes, take-over and release, assignment and status or priority changes (a refused change explained). Its customer
// opens on their own page; `?ticket=SR-…` opens that ticket at once.
import { el, fillWords, fmt, loadStrings, localTime, pickLang, signedInPage, toast } from "/console/static/common.js";

const PAGE = 50;
const QUEUES = ["open", "unassigned", "waiting", "held", "pending", "sla_warning", "sla_breached"];
const STATUSES = ["new", "assigned", "accepted", "en_route", "on_site", "pending_customer", "pending_parts",
  "resolved", "closed", "cancelled"];
const PRIORITIES = ["P1", "P2", "P3", "P4"];
const REFRESH_AFTER_MS = 300;

const T = await loadStrings(pickLang());
fillWords(T);
document.title = T.console;

const $ = (selector) => document.querySelector(selector);
const consoleBox = $("[data-testid=console]");
const { session, start } = signedInPage(T, consoleBox, { onSignedIn: show, onSignedOut: stopListening });
const filters = $("[data-testid=filters]");
const list = $("[data-testid=ticket-list]");
const pane = $("[data-testid=ticket]");
const countLine = $("[data-testid=count]");
const moreButton = $("[data-testid=more]");
const live = $("[data-testid=live]");

let queue = "open";
let rows = [];
let next = null;
let selected = -1;
let openCode = null;
let staff = [];
let feed = null;
let refreshTimer = 0;

setUpFilters();
await start();

function stopListening() {
  if (feed) feed.close();
  feed = null;
}

async function show() {
  staff = (await session.get("/staff?limit=200")).items;
  fillAssignees();
  await Promise.all([loadCounts(), loadList()]);
  listen();
  const asked = new URLSearchParams(location.search).get("ticket");
  if (asked) await openTicket(asked);
}

// ---- filters and queues ----
function options(select, anyLabel, entries) {
  select.replaceChildren(el("option", { value: "", text: anyLabel }),
    ...entries.map(([value, label]) => el("option", { value, text: label })));
}

function setUpFilters() {
  options(filters.status, T.anyStatus, STATUSES.map((s) => [s, T.statuses[s]]));
  options(filters.type, T.anyType, Object.entries(T.types).filter(([k]) => k !== "other"));
  options(filters.priority, T.anyPriority, PRIORITIES.map((p) => [p, `${p} · ${T.priorities[p]}`]));
  options(filters.channel, T.anyChannel, Object.entries(T.channels));
  options(filters.sla, T.anySla, Object.entries(T.sla_states));
  const bar = $("[data-testid=queues]");
  bar.replaceChildren(...QUEUES.map((name) => el("button", { type: "button", "data-queue": name,
    "data-testid": `queue-${name}`, "aria-pressed": String(name === queue), onclick: () => pickQueue(name) },
    el("span", { text: T.queue[name] }), el("b", { className: "n", text: "·" }))));
  let typing = 0;
  filters.addEventListener("input", (event) => {
    clearTimeout(typing);
    typing = setTimeout(loadList, event.target.name === "q" ? 300 : 0);
  });
  filters.addEventListener("reset", () => setTimeout(loadList, 0));
  filters.addEventListener("submit", (event) => event.preventDefault());
  moreButton.addEventListener("click", () => loadList({ more: true }));
}

function fillAssignees() {
  options(filters.assignee, T.anyAssignee, [["none", T.unassigned], ...staff.map((m) => [String(m.id), m.name])]);
}

function pickQueue(name) {
  queue = name;
  for (const button of document.querySelectorAll("[data-queue]")) {
    button.setAttribute("aria-pressed", String(button.dataset.queue === name));
  }
  loadList();
}

function query() {
  const params = new URLSearchParams({ queue });
  for (const name of ["q", "status", "type", "priority", "channel", "assignee", "sla"]) {
    const value = filters[name].value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function loadCounts() {
  const counts = await session.get("/tickets/counts");
  for (const button of document.querySelectorAll("[data-queue]")) {
    button.querySelector(".n").textContent = counts[button.dataset.queue];
  }
}

// ---- the list ----
async function loadList({ more = false } = {}) {
  const params = query();
  params.set("limit", String(PAGE));
  if (more && next) params.set("cursor", next);
  exportLinks(params);
  let page;
  try {
    page = await session.get("/tickets?" + params);
  } catch (e) {
    if (e.status !== 401) toast(fmt(T.failed, { message: e.message }), "error");
    return;
  }
  rows = more ? rows.concat(page.items) : page.items;
  next = page.next;
  moreButton.hidden = next === null;
  list.replaceChildren(...rows.map(row));
  list.append(...(rows.length ? [] : [el("li", { className: "none", text: T.noTickets })]));
  countLine.textContent = fmt(T.count, { count: rows.length + (next ? "+" : "") });
  selected = Math.min(Math.max(selected, rows.findIndex((t) => t.id === openCode)), rows.length - 1);
  highlight();
}

function exportLinks(params) {
  const base = new URLSearchParams(params);
  base.delete("limit");
  base.delete("cursor");
  base.set("lang", T.locale);
  for (const format of ["xlsx", "csv"]) {
    base.set("format", format);
    $(`[data-testid=export-${format}]`).href = "/api/v1/tickets/export?" + base;
  }
}

function slaState(ticket) {
  if (!ticket.sla) return null;
  const states = [ticket.sla.first_response, ticket.sla.resolution].filter(Boolean).map((t) => t.state);
  return states.includes("breached") ? "breached" : states.includes("warning") ? "warning" : "ok";
}

function row(ticket, index) {
  const state = slaState(ticket);
  return el("li", { role: "option", "data-testid": "ticket-row", "data-id": ticket.id, "data-status": ticket.status,
    className: "ticket-row", onclick: () => { selected = index; openTicket(ticket.id); } },
  el("div", { className: "line" }, el("b", { className: "code", text: ticket.id }),
    el("span", { className: `badge priority ${ticket.priority}`, text: T.priorities[ticket.priority] }),
    el("span", { className: "badge status", text: T.statuses[ticket.status] }),
    state && state !== "ok" ? el("span", { className: `badge sla ${state}`, text: T.sla_states[state] }) : null),
  el("div", { className: "subject", text: ticket.subject }),
  el("div", { className: "meta", text: `${T.types[ticket.type]} · ${T.channels[ticket.channel] || ticket.channel}` +
    ` · ${localTime(ticket.created_at, T)}` }));
}

function highlight() {
  list.querySelectorAll("[data-testid=ticket-row]").forEach((item, n) => {
    item.setAttribute("aria-selected", String(n === selected));
    if (n === selected) item.scrollIntoView({ block: "nearest" });
  });
}

// ---- live updates ----
function listen() {
  if (feed) return;
  feed = new EventSource("/console/events");
  feed.onopen = () => { live.dataset.state = "on"; live.textContent = T.live; };
  feed.onerror = () => { live.dataset.state = "off"; live.textContent = T.offline; };
  feed.onmessage = (event) => {
    const changed = JSON.parse(event.data).tickets;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      loadCounts();
      loadList();
      if (openCode && (changed === null || changed.includes(openCode))) openTicket(openCode, { keepScroll: true });
    }, REFRESH_AFTER_MS);
  };
}

// ---- keyboard ----
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (event.key === "Escape") {
    if (typing) document.activeElement.blur();
    else closeTicket();
    return;
  }
  if (typing || consoleBox.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  const moves = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
  if (event.key in moves && rows.length) {
    event.preventDefault();
    selected = Math.min(Math.max(selected + moves[event.key], 0), rows.length - 1);
    highlight();
  } else if ((event.key === "Enter" || event.key === "o") && rows[selected]) {
    event.preventDefault();
    openTicket(rows[selected].id);
  } else if (event.key === "/") {
    event.preventDefault();
    filters.q.focus();
  } else if (event.key === "r" || event.key === "n") {
    const box = pane.querySelector(event.key === "r" ? "[data-testid=reply-input]" : "[data-testid=note-input]");
    if (box) { event.preventDefault(); box.focus(); }
  }
});

// ---- one ticket ----
function closeTicket() {
  openCode = null;
  consoleBox.classList.remove("showing-ticket");
  pane.replaceChildren(el("p", { className: "empty", text: T.pickTicket }));
  list.focus();
}

async function openTicket(code, { keepScroll = false } = {}) {
  let ticket;
  try {
    ticket = await session.get("/tickets/" + encodeURIComponent(code));
  } catch (e) {
    if (e.status !== 401) toast(fmt(T.failed, { message: e.message }), "error");
    return;
  }
  const scroll = pane.scrollTop;
  const drafts = [...pane.querySelectorAll("[data-draft]")].map((box) => [box.dataset.draft, box.value]);
  openCode = code;
  consoleBox.classList.add("showing-ticket");
  pane.replaceChildren(...ticketView(ticket).filter(Boolean));
  if (keepScroll && openCode === ticket.id) {
    pane.scrollTop = scroll;
    for (const [id, value] of drafts) { const box = pane.querySelector(`[data-draft="${id}"]`); if (box) box.value = value; }
  }
  highlight();
}

function ticketView(t) {
  return [
    el("button", { type: "button", className: "plain back", text: T.back, onclick: closeTicket }),
    el("header", { className: "ticket-head" },
      el("h2", { "data-testid": "ticket-code", text: t.id }),
      el("span", { className: "badge status", "data-testid": "ticket-status", text: T.statuses[t.status] }),
      el("span", { className: `badge priority ${t.priority}`, text: T.priorities[t.priority] }),
      el("span", { className: "badge", text: T.types[t.type] }),
      el("p", { className: "subject", "data-testid": "ticket-subject", text: t.subject })),
    facts(t),
    handoverLine(t),
    actions(t),
    conversation(t),
    attachments(t),
    composer(t, "reply"),
    composer(t, "note"),
    auditTrail(t),
  ];
}

function facts(t) {
  const entities = Object.entries(t.entities).filter(([, values]) => values.length);
  const entries = [
    [T.customer, el("a", { href: `/console/customers/${t.customer.id}`, "data-testid": "customer-link",
      title: T.openCustomer }, `${t.customer.name || "—"} · ${t.customer.phone || ""}`)],
    [T.channel, T.channels[t.channel] || t.channel],
    [T.assignee, t.assignee ? t.assignee.name : T.nobody],
    [T.sla, slaLines(t)],
    ...(t.device ? [[T.device, `${t.device.model} · ${t.device.serial} · ${T.warranty[t.device.warranty]}`]] : []),
    ...entities.map(([kind, values]) => [T.entities[kind] || kind, entityValues(kind, values)]),
  ];
  return el("dl", { className: "facts", "data-testid": "facts" },
    entries.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]));
}

/** What the customer said under an entity; `waived` holds the names of the details they had not got. */
function entityValues(kind, values) {
  if (kind === "waived") return values.map((field) => T.fields[field] || field).join("、");
  return (kind === "times" ? values.map(askedTime) : values).join("、");
}

// A time the customer asked for, kept as ISO 8601: a moment, or a span "start/end" ("明天上午").
function askedTime(value) {
  const [start, end] = value.split("/");
  return end ? `${localTime(start, T)}–${localTime(end, T).slice(-5)}` : localTime(start, T);
}

function slaLines(t) {
  if (!t.sla) return T.noSla;
  return Object.entries(t.sla).filter(([, target]) => target).map(([name, target]) => fmt(T.due,
    { target: T.sla_targets[name], at: localTime(target.due_at, T), state: T.sla_states[target.state] })).join("；");
}

function handoverLine(t) {
  if (!t.handover) return null;
  const text = t.handover.state === "waiting" ? fmt(T.handoverWaiting,
    { reason: T.handover_reasons[t.handover.reason] || t.handover.reason })
    : fmt(T.handoverHeld, { name: t.handover.holder ? t.handover.holder.name : T.handoverConsole });
  return el("p", { className: `handover ${t.handover.state}`, "data-testid": "handover", text });
}

function actions(t) {
  const status = el("select", { "data-testid": "status-select", "aria-label": T.status },
    STATUSES.map((s) => el("option", { value: s, text: T.statuses[s], selected: s === t.status })));
  const priority = el("select", { "data-testid": "priority-select", "aria-label": T.priority },
    PRIORITIES.map((p) => el("option", { value: p, text: `${p} · ${T.priorities[p]}`, selected: p === t.priority })));
  const assignee = el("select", { "data-testid": "assignee-select", "aria-label": T.assign },
    el("option", { value: "", text: T.nobody }),
    staff.map((m) => el("option", { value: String(m.id), text: m.name, selected: t.assignee && t.assignee.id === m.id })));
  const held = t.handover && t.handover.state === "held";
  return el("div", { className: "actions" },
    el("label", {}, T.status, status),
    el("button", { type: "button", "data-testid": "status-apply", text: T.apply,
      onclick: () => change(t, { status: status.value }) }),
    el("label", {}, T.priority, priority),
    el("button", { type: "button", text: T.apply, "data-testid": "priority-apply",
      onclick: () => change(t, { priority: priority.value }) }),
    el("label", {}, T.assign, assignee),
    el("button", { type: "button", text: T.apply, "data-testid": "assignee-apply",
      onclick: () => change(t, { assignee: assignee.value ? Number(assignee.value) : null }) }),
    el("button", { type: "button", className: "secondary", "data-testid": held ? "release" : "take-over",
      text: held ? T.release : T.takeOver, onclick: () => handover(t, held) }),
    el("p", { className: "explain", role: "alert", "data-testid": "explain" }));
}

async function change(t, patch) {
  const explain = pane.querySelector("[data-testid=explain]");
  explain.textContent = "";
  try {
    const updated = await session.call("PATCH", "/tickets/" + encodeURIComponent(t.id), patch);
    toast("assignee" in patch && updated.assignee ? fmt(T.assigned, { name: updated.assignee.name }) : T.changed);
    await openTicket(t.id, { keepScroll: true });
    pane.querySelector("[data-testid=explain]").textContent = "";
  } catch (e) {
    explain.textContent = e.code === "illegal_transition" ? refusal(t, patch.status) : fmt(T.failed, { message: e.message });
  }
}

function refusal(t, target) {
  const allowed = t.next_statuses.map((s) => T.statuses[s]).join("、");
  return allowed ? fmt(T.refused, { from: T.statuses[t.status], to: T.statuses[target], allowed })
    : fmt(T.refusedNone, { from: T.statuses[t.status] });
}

async function handover(t, held) {
  try {
    if (held) await session.call("DELETE", `/tickets/${encodeURIComponent(t.id)}/handover`);
    else await session.call("POST", `/tickets/${encodeURIComponent(t.id)}/handover`, {});
    toast(held ? T.released : T.tookOver);
  } catch (e) {
    toast(e.code === "unreachable" ? T.unreachable : fmt(T.failed, { message: e.message }), "error");
  }
  await openTicket(t.id, { keepScroll: true });
}

function speaker(author) {
  if (author.startsWith("customer:")) return ["customer", T.fromCustomer];
  if (author === "bot" || author.startsWith("system")) return ["bot", T.fromBot];
  return ["staff", T.fromStaff];
}

function conversation(t) {
  const said = t.messages.map((m) => ({ at: m.at, kind: speaker(m.author)[0], who: speaker(m.author)[1], text: m.text }));
  const notes = t.events.filter((e) => e.kind === "note").map((e) => ({ at: e.at, kind: "note",
    who: `${T.note} · ${e.actor}`, text: e.data.after.text }));
  const items = said.concat(notes).sort((a, b) => new Date(a.at) - new Date(b.at));
  return el("section", { className: "conversation", "aria-label": T.conversation },
    el("h3", { text: T.conversation }),
    items.length ? el("ol", { "data-testid": "conversation" }, items.map((m) =>
      el("li", { className: `said ${m.kind}`, "data-testid": "said", "data-kind": m.kind },
        el("div", { className: "who", text: `${m.who} · ${localTime(m.at, T)}` }),
        el("div", { className: "text", "data-testid": "said-text", text: m.text }))))
      : el("p", { className: "empty", text: T.noMessages }));
}

function attachments(t) {
  if (!t.attachments.length) return null;
  const nameplate = t.events.filter((e) => e.kind === "nameplate").map((e) => e.data.after).pop();
  return el("section", { className: "attachments", "aria-label": T.attachments },
    el("h3", { text: `${T.attachments} (${t.attachments.length})` }),
    el("ul", { "data-testid": "attachments" }, t.attachments.map((a) =>
      el("li", { className: `attachment ${a.type} ${a.status}`, "data-testid": "attachment", "data-type": a.type },
        el("div", { className: "who", text: `${T.attachmentKinds[a.type] || a.type} · ${localTime(a.created_at, T)}` }),
        attachmentBody(a),
        nameplate && nameplate.attachment === a.id
          ? el("div", { className: "nameplate-of", "data-testid": "nameplate-of", text: fmt(T.nameplateOf, nameplate) })
          : null,
        a.type === "image" && a.url ? serialFromPhoto(t, a) : null))));
}

// Staff read the serial off a nameplate photo and type it: the ticket's device, with this photo on its record.
function serialFromPhoto(t, a) {
  const box = el("input", { "data-testid": "nameplate-serial", "data-draft": `serial-${a.id}`, maxlength: 64,
    required: true, placeholder: T.nameplateSerial, "aria-label": T.nameplateSerial });
  const save = async (event) => {
    event.preventDefault();
    const serial = box.value.trim();
    if (!serial) return;
    try {
      const updated = await session.call("POST", `/tickets/${encodeURIComponent(t.id)}/device`,
        { serial, attachment: a.id });
      toast(fmt(T.nameplateSaved, { serial: updated.device.serial }));
      await openTicket(t.id, { keepScroll: true });
    } catch (e) {
      toast(fmt(T.failed, { message: e.message }), "error");
    }
  };
  return el("form", { className: "nameplate", "data-testid": "nameplate-form", onsubmit: save }, box,
    el("button", { type: "submit", "data-testid": "nameplate-save", text: T.nameplateSave }));
}

function attachmentBody(a) {
  if (a.location) {
    return el("span", { text: `${a.location.label} (${a.location.latitude}, ${a.location.longitude})` });
  }
  if (!a.url) {
    const state = T.attachmentStates[a.status];
    return el("span", { className: "state", text: state ? fmt(state, { note: a.note }) : a.name });
  }
  const size = `${a.name || ""} · ${Math.max(1, Math.round(a.size / 1024))} KB`;
  if (a.thumbnail_url) {
    return el("a", { href: a.url, target: "_blank", rel: "noopener" },
      el("img", { src: a.thumbnail_url, alt: a.name || T.attachmentKinds.image, loading: "lazy" }));
  }
  if (a.type === "voice") return el("audio", { controls: true, preload: "none", src: a.url });
  if (a.type === "video") return el("video", { controls: true, preload: "none", src: a.url });
  return el("a", { href: a.url, download: a.name || "", text: size });
}

function composer(t, kind) {
  const reply = kind === "reply";
  const box = el("textarea", { "data-testid": `${kind}-input`, "data-draft": kind, rows: 3, maxlength: 4000,
    placeholder: reply ? T.replyPlaceholder : T.notePlaceholder, "aria-label": reply ? T.reply : T.addNote });
  const send = async () => {
    const text = box.value.trim();
    if (!text) return;
    try {
      await session.call("POST", `/tickets/${encodeURIComponent(t.id)}/${reply ? "replies" : "notes"}`, { text });
      box.value = "";
      toast(reply ? T.sent : T.noteAdded);
      await openTicket(t.id, { keepScroll: true });
    } catch (e) {
      toast(e.code === "unreachable" ? T.unreachable : fmt(T.failed, { message: e.message }), "error");
    }
  };
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
  });
  return el("section", { className: `composer ${kind}` },
    el("h3", { text: reply ? T.reply : T.addNote }), box,
    el("button", { type: "button", "data-testid": `${kind}-send`, text: reply ? T.send : T.addNote, onclick: send }));
}

function auditTrail(t) {
  return el("details", { className: "audit", "data-testid": "audit" },
    el("summary", { text: `${T.audit} (${t.events.length})` }),
    el("ol", {}, t.events.map((e) => el("li", {},
      el("span", { className: "when", text: localTime(e.at, T) }),
      el("b", { text: (T.events[e.kind] || e.kind) }),
      el("span", { className: "actor", text: e.actor }),
      el("code", { text: JSON.stringify(e.data.after) })))));
}
