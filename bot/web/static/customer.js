// One customer whole (/console/customers/{id}): name and phone, the channels they are known on (staff bind one
// here), devices with warranty, tickets (each opens in the console), satisfaction answers, what their service cost,
// and merges (supervisors merge another record in, or undo a merge).
import { el, fillWords, fmt, loadStrings, localTime, pickLang, signedInPage, toast } from "/console/static/common.js";

const BINDABLE = ["webchat", "wechat", "wecom", "slack", "email"];

const T = await loadStrings(pickLang());
fillWords(T);

const $ = (selector) => document.querySelector(selector);
const id = Number(location.pathname.split("/").pop());
const { session, start } = signedInPage(T, $("[data-testid=customer]"), { onSignedIn: show });

$("[data-testid=bind-channel]").replaceChildren(...BINDABLE.map((c) => el("option", { value: c, text: T.channels[c] || c })));
onSubmit("bind", (form) => session.call("POST", `/customers/${id}/identities`, { channel: form.channel.value,
  external_id: form.external_id.value.trim() }), T.bound, (e) => (e.code === "identity_taken"
  ? fmt(T.identityTaken, { message: e.message.split(";")[0] }) : fmt(T.failed, { message: e.message })));
onSubmit("merge", (form) => session.call("POST", `/customers/${id}/merges`, { source: Number(form.source.value),
  reason: form.reason.value.trim() }), T.merged);

await start();

async function show() {
  let c;
  try {
    c = await session.get(`/customers/${id}`);
  } catch (e) {
    if (e.status !== 401) toast(fmt(T.failed, { message: e.message }), "error");
    return;
  }
  const name = c.name || T.unnamed;
  document.title = fmt(T.customerTitle, { id: c.id, name });
  $("[data-testid=customer-name]").textContent = fmt(T.customerTitle, { id: c.id, name });
  $("[data-testid=customer-phone]").textContent = c.phone
    ? fmt(T.phoneLine, { phone: c.phone, state: c.phone_verified ? T.phoneVerified : T.phoneClaimed }) : "";
  const merged = $("[data-testid=customer-merged]");
  merged.hidden = c.merged_into === null;
  merged.textContent = c.merged_into === null ? "" : fmt(T.mergedInto, { id: c.merged_into });
  fill("identities", c.identities, T.noIdentities, (i) => `${T.channels[i.channel] || i.channel} · ${i.external_id}`
    + (i.display_name ? ` (${i.display_name})` : ""));
  fill("devices", c.devices, T.noDevices, device);
  fill("customer-tickets", c.tickets, T.noCustomerTickets, (t) => el("a",
    { href: `/console?ticket=${encodeURIComponent(t.id)}`, "data-testid": "customer-ticket" },
    `${t.id} · ${T.statuses[t.status]} · ${T.types[t.type]} · ${t.subject}`));
  fill("scores", c.scores, T.noScores, (s) => `${s.ticket} · ${fmt(T.score, { csat: s.csat ?? "—", nps: s.nps ?? "—" })}`
    + `${s.comment ? " · " + s.comment : ""} · ${localTime(s.answered_at, T)}`);
  cost(c.service_cost);
  fill("merges", c.merges, "", merge);
}

// A list's items, or one line saying there are none.
function fill(testid, items, none, render) {
  const list = $(`[data-testid=${testid}]`);
  list.replaceChildren(...(items.length ? items.map((item) => el("li", {}, render(item)))
    : none ? [el("li", { className: "empty", text: none })] : []));
}

function device(d) {
  const warranty = T.warranty[d.warranty] + (d.warranty_end ? " " + fmt(T.warrantyUntil, { date: d.warranty_end }) : "");
  return el("span", { "data-testid": "device", "data-warranty": d.warranty },
    [`${T.serial} ${d.serial}`, d.model && `${T.model} ${d.model}`, d.product, warranty,
      d.address && `${T.address} ${d.address}`].filter(Boolean).join(" · "));
}

function cost(c) {
  const kinds = Object.entries(c.by_kind).map(([kind, amount]) => `${T.costKinds[kind] || kind} ¥${amount}`);
  $("[data-testid=cost-total]").textContent = `¥${c.total}` + (kinds.length ? ` (${kinds.join("，")})` : "");
  fill("cost-lines", c.lines, T.noCost, (x) => `${x.ticket} · ${fmt(T.costLine, x)} · `
    + (x.amount === null ? "—" : `¥${x.amount}`) + (x.device ? ` · ${x.device}` : ""));
  $("[data-testid=cost-unpriced]").textContent = c.unpriced.length ? fmt(T.unpricedNote, { items: c.unpriced.join("、") }) : "";
}

function merge(m) {
  const line = `${fmt(T.mergeLine, { source: m.source_id, target: m.target_id, actor: m.actor })}`
    + `${m.reason ? " · " + m.reason : ""} · ${localTime(m.at, T)}`;
  if (m.undone_at) return `${line} · ${T.mergeUndone}`;
  return el("span", {}, line, " ", el("button", { type: "button", className: "plain", "data-testid": "undo-merge",
    "data-role": "supervisor", hidden: !session.may("supervisor"), text: T.undo, onclick: () => undo(m) }));
}

// A form that calls the API: done, it says so and shows the customer again; refused, `why` explains it.
function onSubmit(testid, send, done, why = (e) => fmt(T.failed, { message: e.message })) {
  const form = $(`[data-testid=${testid}]`);
  const explain = $(`[data-testid=${testid}-explain]`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    explain.textContent = "";
    try {
      await send(form);
      form.reset();
      toast(done);
      await show();
    } catch (e) {
      explain.textContent = why(e);
    }
  });
}

async function undo(m) {
  try {
    await session.call("POST", `/merges/${m.id}/undo`);
    toast(T.undone);
  } catch (e) {
    toast(fmt(T.failed, { message: e.message }), "error");
  }
  await show();
}
