// Shared by the console and the dashboard: the page's words, the sign-in form, calls to /api/v1 with the session
// cookie (writes carry the anti-forgery token), and building DOM from data. Data is only ever set as text: nothing
// a customer wrote can become markup.
"use strict";

const LANG_KEY = "aftersales.console.lang";

export function pickLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "zh" || asked === "en") remember(asked);
  return asked || stored() || "zh";
}

export function switchLang(current) {
  remember(current === "zh" ? "en" : "zh");
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.assign(url.toString());
}

function stored() {
  try { return localStorage.getItem(LANG_KEY); } catch (e) { return null; }
}

function remember(lang) {
  try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode: the choice lasts this page only */ }
}

export async function loadStrings(lang) {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const response = await fetch("/console/strings?" + new URLSearchParams({ lang }));
      if (response.ok) return await response.json();
    } catch (e) { /* offline: try again */ }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

// `{name}` in a sentence replaced by values[name].
export function fmt(sentence, values) {
  return String(sentence).replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}

// An element with attributes (`text` sets textContent, `on*` adds listeners, `data-*`/aria go as attributes) and
// children (strings become text nodes).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function fillWords(T) {
  document.documentElement.lang = T.locale === "en" ? "en" : "zh-CN";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = T[node.dataset.i18n] || "";
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = T[node.dataset.i18nPlaceholder] || "";
}

// An instant as staff read it: in the hub's time zone.
export function localTime(iso, T) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(T.locale === "en" ? "en-GB" : "zh-CN", { timeZone: T.timezone,
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// The session: who is signed in, and calls made with the cookie.
class Session {
  constructor(onEnded) {
    this.onEnded = onEnded;
    this.csrf = "";
    this.who = null;
  }

  async resume() {
    const response = await fetch("/console/session", { credentials: "same-origin" });
    if (!response.ok) return null;
    return this.keep(await response.json());
  }

  async signIn(token) {
    const response = await fetch("/console/session", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }) });
    if (!response.ok) throw await failure(response);
    return this.keep(await response.json());
  }

  async signOut() {
    await fetch("/console/session", { method: "DELETE", credentials: "same-origin",
      headers: { "X-CSRF-Token": this.csrf } });
    this.who = null;
    this.csrf = "";
  }

  keep(who) {
    this.who = who;
    this.csrf = who.csrf;
    return who;
  }

  may(role) {
    const order = ["agent", "supervisor", "admin"];
    return this.who !== null && order.indexOf(this.who.role) >= order.indexOf(role);
  }

  async get(path) {
    return this.call("GET", path);
  }

  async call(method, path, body) {
    const headers = { "X-CSRF-Token": this.csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch("/api/v1" + path, { method, credentials: "same-origin", headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401) {
      this.who = null;
      this.onEnded();
    }
    if (!response.ok) throw await failure(response);
    return response.json();
  }
}

async function failure(response) {
  try {
    const body = await response.json();
    return new ApiError(response.status, body.error.code, body.error.message);
  } catch (e) {
    return new ApiError(response.status, "http_error", response.statusText);
  }
}

// The sign-in form: a token in, the session out; the form is hidden once signed in.
function signInForm(T, session, onSignedIn) {
  const box = document.querySelector("[data-testid=signin]");
  const form = box.querySelector("form");
  const input = box.querySelector("input");
  const problem = box.querySelector(".problem");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    try {
      await session.signIn(input.value);
      input.value = "";
      box.hidden = true;
      onSignedIn();
    } catch (e) {
      problem.textContent = e.status === 401 ? T.badToken : fmt(T.failed, { message: e.message });
    }
  });
  return {
    show(message) {
      box.hidden = false;
      problem.textContent = message || "";
      input.focus();
    },
  };
}

// What every page does around signing in: the session, the form and the top bar, with `main` shown only while
// signed in. `onSignedIn` runs at each sign-in (and at `start` when a session is still alive), `onSignedOut` when
// the session ends or the user signs out.
export function signedInPage(T, main, { onSignedIn, onSignedOut = () => {} }) {
  const session = new Session(() => signedOut(T.sessionEnded));
  const signIn = signInForm(T, session, signedIn);
  const bar = topBar(T, session, () => signedOut(""));

  function signedOut(message) {
    main.hidden = true;
    onSignedOut();
    bar.update();
    signIn.show(message);
  }

  function signedIn() {
    bar.update();
    main.hidden = false;
    onSignedIn();
  }

  return {
    session,
    async start() {
      if (await session.resume()) signedIn();
      else signedOut("");
    },
  };
}

// The header: who is signed in, the language switch, sign-out, and the dashboard link for supervisors.
function topBar(T, session, onSignedOut) {
  const who = document.querySelector("[data-testid=who]");
  const out = document.querySelector("[data-testid=sign-out]");
  const lang = document.querySelector("[data-testid=language]");
  lang.textContent = T.language;
  lang.addEventListener("click", () => switchLang(T.locale));
  out.addEventListener("click", async () => {
    await session.signOut();
    onSignedOut();
  });
  return {
    update() {
      const signedIn = session.who !== null;
      out.hidden = !signedIn;
      who.textContent = signedIn ? fmt(T.signedInAs, { name: session.who.name,
        role: T.roles[session.who.role] || session.who.role }) : "";
      for (const link of document.querySelectorAll("[data-role]")) link.hidden = !session.may(link.dataset.role);
    },
  };
}

export function toast(message, kind = "info") {
  const box = document.querySelector(".toasts");
  const note = el("div", { className: "toast " + kind, role: kind === "error" ? "alert" : "status",
    "data-testid": "toast", text: message });
  box.append(note);
  setTimeout(() => note.remove(), kind === "error" ? 12000 : 5000);
}
