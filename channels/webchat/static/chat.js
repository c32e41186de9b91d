// Web chat page: talks to /chat/ws with JSON frames, keeps unsent messages until the server acknowledges them,
// reconnects with exponential backoff and jitter, and shows replies (with ticket cards and action buttons). Pictures
// and files go up over HTTP in chunks (/chat/uploads) with a progress bar, resumed where the hub stopped after a
// dropped connection or a reload.
"use strict";

(async function () {
  const MAX_CHARS = 4000;
  const HISTORY_LIMIT = 200;
  const KEPT_PICTURE_CHARS = 200000;
  const TYPING_MS = 10000;
  const CLOSE_TOO_BIG = 1009;
  const PERMANENT_ERRORS = new Set(["empty", "too_large", "bad_frame", "invalid_json"]);
  const CHUNK_BYTES = 256 * 1024;

  const params = new URLSearchParams(location.search);
  const T = await loadStrings(params.get("lang") || navigator.language || "zh");
  const lang = T.locale;

  const $ = (selector) => document.querySelector(selector);
  const list = $(".messages");
  const input = $("[data-testid=message-input]");
  const sendButton = $("[data-testid=send-button]");
  const statusBox = $("[data-testid=connection-status]");
  const typing = $("[data-testid=typing]");
  const fileInput = $("[data-testid=file-input]");
  const toasts = $(".toasts");

  const store = makeStore();
  let session = store.session();
  store.setSession(session);
  let history = store.load("history", []);
  let outbox = store.load("outbox", []);
  let pendingUploads = store.load("uploads", []);
  const files = makeFileStore();
  const seen = new Set(history.map((m) => m.id));
  const inflight = new Set();
  const rows = new Map();
  const cards = new Map();

  let socket = null;
  let ready = false;
  let attempt = 0;
  let reconnectTimer = 0;
  let reconnectAfter = 0;
  let retryTimer = 0;
  let retryAttempt = 0;
  let typingTimer = 0;
  let composing = false;
  let lastDay = "";

  // The page's words come from the hub's templates, in the language it picks for the browser's tag.
  async function loadStrings(tag) {
    for (let wait = 500; ; wait = Math.min(wait * 2, 10000)) {
      try {
        const response = await fetch("/chat/strings?" + new URLSearchParams({ lang: tag }));
        if (response.ok) return await response.json();
      } catch (e) { /* offline: try again */ }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  // ---- storage: session id, message history and unsent messages survive a reload ----
  function makeStore() {
    const prefix = "aftersales.webchat.";
    const safe = (fn, fallback) => { try { return fn(); } catch (e) { return fallback; } };
    return {
      session: () => safe(() => localStorage.getItem(prefix + "session"), null) || randomId(16),
      setSession: (id) => safe(() => localStorage.setItem(prefix + "session", id)),
      load: (key, fallback) => safe(() => JSON.parse(localStorage.getItem(prefix + key + "." + session)), null) || fallback,
      save: (key, value) => safe(() => localStorage.setItem(prefix + key + "." + session, JSON.stringify(value))),
    };
  }

  function randomId(bytes) {
    const raw = crypto.getRandomValues(new Uint8Array(bytes));
    return btoa(String.fromCharCode.apply(null, raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function remember(message) {
    history.push(message);
    history = history.slice(-HISTORY_LIMIT);
    store.save("history", history);
  }

  function updateHistory(id, status) {
    const message = history.find((m) => m.id === id);
    if (message) {
      message.status = status;
      store.save("history", history);
    }
  }

  // ---- rendering ----
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMarkdown(target, markdown) {
    // Light Markdown from the hub's templates: **bold** and line breaks; everything else stays text.
    String(markdown).split(/(\*\*[^*]+\*\*)/).forEach((part) => {
      const bold = /^\*\*([^*]+)\*\*$/.exec(part);
      target.appendChild(bold ? el("strong", "", bold[1]) : document.createTextNode(part));
    });
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return date.toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function dayLabel(iso) {
    const date = new Date(iso);
    if (date.toDateString() === new Date().toDateString()) return T.today;
    return date.toLocaleDateString(lang === "zh" ? "zh-CN" : "en-GB", { month: "long", day: "numeric" });
  }

  function renderTicket(ticket) {
    const card = el("article", "ticket");
    card.dataset.testid = "ticket-card";
    card.dataset.priority = ticket.priority || "";
    const head = el("div", "ticket-head");
    const title = el("div");
    title.append(el("div", "ticket-kind", T.ticket), el("div", "ticket-id", ticket.id || ""));
    const priority = el("span", "badge priority", ticket.priority || "");
    priority.dataset.priority = ticket.priority || "";
    head.append(title, priority);
    card.append(head);
    if (ticket.summary) card.append(el("p", "ticket-summary", ticket.summary));
    const badges = el("div", "badges");
    if (ticket.type_label || ticket.type) badges.append(el("span", "badge type", ticket.type_label || ticket.type));
    if (ticket.status_label || ticket.status) badges.append(el("span", "badge status", ticket.status_label || ticket.status));
    card.append(badges);
    const entities = Object.entries(ticket.entities || {}).filter(([, v]) => v && (!Array.isArray(v) || v.length));
    if (entities.length) {
      const dl = el("dl", "entities");
      entities.forEach(([key, value]) => {
        const shown = Array.isArray(value) ? value.map((v) => (key === "times" ? askedTime(v) : v)) : [value];
        dl.append(el("dt", "", T.entities[key] || key), el("dd", "", shown.join("、")));
      });
      card.append(dl);
    }
    return card;
  }

  // A time the customer asked for, kept as ISO 8601 (a span as "start/end"), in China time, when visits are made.
  function askedTime(value) {
    const [start, end] = String(value).split("/");
    const locale = lang === "zh" ? "zh-CN" : "en-GB";
    const clock = { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false };
    const from = new Date(start).toLocaleString(locale, { ...clock, month: "2-digit", day: "2-digit" });
    return end ? `${from}–${new Date(end).toLocaleTimeString(locale, clock)}` : from;
  }

  function renderMessage(message) {
    const day = dayLabel(message.at);
    if (day !== lastDay) {
      list.append(el("div", "day", day));
      lastDay = day;
    }
    const row = el("div", "row " + message.role);
    row.dataset.testid = "message";
    row.dataset.role = message.role;
    row.dataset.id = message.id;
    if (message.status) row.dataset.status = message.status;
    const stack = el("div", "stack");
    const bubble = el("div", "bubble");
    if (message.image) bubble.append(renderImage(message.image));
    else if (message.role === "agent") renderMarkdown(bubble, message.markdown || message.text);
    else bubble.textContent = message.text;
    stack.append(bubble);
    if (message.ticket && message.ticket.id) stack.append(newestCard(message.ticket));
    if (message.actions && message.actions.length) {
      const actions = el("div", "actions");
      message.actions.forEach((action) => {
        const button = el("button", "action", action.label);
        button.type = "button";
        button.dataset.testid = "action-button";
        button.addEventListener("click", () => submit(action.command));
        actions.append(button);
      });
      stack.append(actions);
    }
    const meta = el("div", "meta");
    meta.append(el("time", "", formatTime(message.at)));
    if (message.role === "customer") meta.append(el("span", "state", T[message.status] || ""));
    stack.append(meta);
    row.append(el("div", "avatar", message.role === "agent" ? T.agent : T.you), stack);
    list.append(row);
    rows.set(message.id, row);
    scrollDown();
  }

  // A ticket's card shows under the newest reply about it only: each detail the customer adds is answered with the
  // ticket as it now stands, and the same card repeated under every answer crowds the conversation out.
  function newestCard(ticket) {
    const card = renderTicket(ticket);
    const earlier = cards.get(ticket.id);
    if (earlier) earlier.remove();
    cards.set(ticket.id, card);
    return card;
  }

  function renderImage(image) {
    if (!image.src) return el("span", "photo-gone", "🖼 " + image.name);
    const img = el("img", "photo");
    img.src = image.src;
    img.alt = image.name;
    img.dataset.testid = "photo";
    img.addEventListener("load", scrollDown);
    return img;
  }

  function setStatus(id, status) {
    updateHistory(id, status);
    const row = rows.get(id);
    if (!row) return;
    row.dataset.status = status;
    row.querySelector(".state").textContent = T[status];
  }

  function scrollDown() {
    list.scrollTop = list.scrollHeight;
  }

  function toast(text, kind) {
    if (Array.from(toasts.children).some((shown) => shown.textContent === text)) return;
    const node = el("div", "toast " + (kind || ""), text);
    node.dataset.testid = "toast";
    node.setAttribute("role", kind === "error" ? "alert" : "status");
    toasts.append(node);
    setTimeout(() => node.remove(), 4500);
  }

  function showTyping(on) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (on) typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_MS);
  }

  function showConnection(state) {
    statusBox.dataset.state = state;
    statusBox.querySelector(".status-text").textContent = T[state];
  }

  // ---- sending: every message waits in the outbox until acknowledged; resent with the same id after trouble ----
  function submit(raw) {
    const text = String(raw).trim();
    if (!text) return false;
    if (text.length > MAX_CHARS) {
      toast(T.tooLong, "error");
      return false;
    }
    const message = { id: randomId(12), role: "customer", text, at: new Date().toISOString(), status: "sending" };
    remember(message);
    renderMessage(message);
    outbox.push({ id: message.id, text });
    store.save("outbox", outbox);
    flush();
    return true;
  }

  function flush() {
    clearTimeout(retryTimer);
    if (!ready) return;
    outbox.filter((item) => !inflight.has(item.id)).forEach((item) => {
      inflight.add(item.id);
      socket.send(JSON.stringify({ type: "message", text: item.text, id: item.id }));
    });
  }

  function settle(id) {
    inflight.delete(id);
    outbox = outbox.filter((item) => item.id !== id);
    store.save("outbox", outbox);
  }

  function retryLater(seconds) {
    inflight.clear();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, seconds * 1000);
  }

  // ---- uploads: one message per file, sent in chunks under the message's id (the hub keeps it once); after a
  // dropped connection or a reload the hub says how many bytes it has and the page goes on from there. The picked
  // file waits in IndexedDB, the upload's key in localStorage, until the hub acknowledges the message. ----
  function makeFileStore() {
    const opened = new Promise((resolve) => {
      try {
        const request = indexedDB.open("aftersales.webchat", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("files");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
      } catch (e) { resolve(null); }
    });
    const run = (mode, work) => opened.then((db) => db && new Promise((resolve) => {
      const tx = db.transaction("files", mode);
      const request = work(tx.objectStore("files"));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => resolve(null);
    }));
    return {
      put: (id, file) => run("readwrite", (files) => files.put(file, id)),
      get: (id) => run("readonly", (files) => files.get(id)),
      remove: (id) => run("readwrite", (files) => files.delete(id)),
    };
  }

  function pendingUpload(id) {
    return pendingUploads.find((entry) => entry.id === id);
  }

  function savePendingUploads() {
    store.save("uploads", pendingUploads);
  }

  async function pick(file) {
    const id = randomId(12);
    pendingUploads.push({ id, name: file.name, upload: null });
    savePendingUploads();
    await files.put(id, file);
    upload(file, id);
  }

  async function resumeUploads() {
    for (const entry of pendingUploads.slice()) {
      const file = await files.get(entry.id);
      if (file) upload(file, entry.id);
      else settleUpload(entry.id, null, { message: T.uploadFailed });
    }
  }

  function request(method, url, body, onProgress) {
    // {status, frame}; status 0 when the connection failed.
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      if (onProgress) xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
      xhr.addEventListener("load", () => {
        let frame = {};
        try { frame = JSON.parse(xhr.responseText); } catch (e) { frame = {}; }
        resolve({ status: xhr.status, frame });
      });
      xhr.addEventListener("error", () => resolve({ status: 0, frame: {} }));
      xhr.addEventListener("abort", () => resolve({ status: 0, frame: {} }));
      xhr.send(body === undefined ? null : body);
    });
  }

  async function upload(file, id) {
    const name = pendingUpload(id).name;
    if (!rows.has(id)) {
      const message = { id, role: "customer", text: "📎 " + name, at: new Date().toISOString(), status: "sending" };
      remember(message);
      renderMessage(message);
    }
    const bubble = rows.get(id).querySelector(".bubble");
    const bar = bubble.querySelector("progress") || bubble.appendChild(el("progress", "", ""));
    bar.max = 100;
    bar.dataset.testid = "upload-progress";
    for (let wait = 1; ; wait = Math.min(wait * 2, 30)) {
      const answer = await sendChunks(file, id, name, bar);
      if (answer.status === 200) return settleUpload(id, bar, null);
      if (answer.status !== 0 && answer.status !== 404 && answer.status !== 429 && answer.status < 500) {
        return settleUpload(id, bar, answer.frame);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(30, answer.frame.retry_after || wait) * 1000));
    }
  }

  // One go: where the hub is, then chunk after chunk until it acknowledges the message or something goes wrong.
  async function sendChunks(file, id, name, bar) {
    const entry = pendingUpload(id);
    let answer = entry.upload ? await request("GET", "/chat/uploads/" + entry.upload) : { status: 404 };
    if (answer.status === 404) {
      const query = new URLSearchParams({ session, id, name, size: String(file.size), lang });
      answer = await request("POST", "/chat/uploads?" + query);
      entry.upload = answer.status === 200 ? answer.frame.upload : null;
      savePendingUploads();
    }
    while (answer.status === 200 || answer.status === 409) {
      if (answer.frame.type === "ack") return answer;
      const offset = answer.frame.offset;
      const show = (sent) => { bar.value = Math.round(((offset + sent) * 100) / Math.max(file.size, 1)); };
      show(0);
      const chunk = file.slice(offset, Math.min(offset + CHUNK_BYTES, file.size));
      answer = await request("PATCH", `/chat/uploads/${entry.upload}?offset=${offset}`, chunk, show);
    }
    if (answer.status === 404) {
      entry.upload = null;
      savePendingUploads();
    }
    return answer;
  }

  function settleUpload(id, bar, refusal) {
    if (bar) bar.remove();
    pendingUploads = pendingUploads.filter((entry) => entry.id !== id);
    savePendingUploads();
    files.remove(id);
    setStatus(id, refusal ? "failed" : "sent");
    if (refusal) toast(refusal.message || T.uploadFailed, "error");
  }

  // ---- connection ----
  function connect() {
    clearTimeout(reconnectTimer);
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    showConnection("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ session, lang });
    socket = new WebSocket(scheme + "//" + location.host + "/chat/ws?" + query);
    socket.addEventListener("message", (event) => onFrame(event.data));
    socket.addEventListener("close", onClose);
  }

  function onClose(event) {
    ready = false;
    socket = null;
    inflight.clear();
    if (event.code === CLOSE_TOO_BIG) toast(T.tooBig, "error");
    showConnection("offline");
    const delay = Math.max(Math.min(30000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2), reconnectAfter * 1000);
    reconnectAfter = 0;
    attempt = Math.min(attempt + 1, 10);
    reconnectTimer = setTimeout(connect, delay);
  }

  function onFrame(data) {
    let frame;
    try { frame = JSON.parse(data); } catch (e) { return; }
    if (frame.type === "hello") onHello(frame);
    else if (frame.type === "ack") onAck(frame);
    else if (frame.type === "error") onError(frame);
    else if (frame.type === "message") onReply(frame);
    else if (frame.type === "image") onImage(frame);
  }

  function onHello(frame) {
    if (frame.session !== session) {
      session = frame.session;
      store.setSession(session);
      store.save("history", history);
      store.save("outbox", outbox);
      savePendingUploads();
    }
    ready = true;
    attempt = 0;
    retryAttempt = 0;
    showConnection("online");
    flush();
  }

  function onAck(frame) {
    settle(frame.id);
    setStatus(frame.id, "sent");
    retryAttempt = 0;
    const last = history[history.length - 1];
    if (last && last.role === "customer") showTyping(true);
  }

  function onError(frame) {
    toast(frame.message, "error");
    if (!frame.id) {
      // A socket refused at opening (too many new sessions from this address) says when to come back.
      if (frame.code === "rate_limited") reconnectAfter = frame.retry_after || 1;
      return;
    }
    if (PERMANENT_ERRORS.has(frame.code)) {
      settle(frame.id);
      setStatus(frame.id, "failed");
    } else if (frame.code === "rate_limited") {
      retryLater(Math.max(frame.retry_after || 1, 0.5));
    } else {
      retryLater(Math.min(30, 2 ** retryAttempt) * (0.5 + Math.random() / 2) + 1);
      retryAttempt = Math.min(retryAttempt + 1, 5);
    }
  }

  function onReply(frame) {
    if (!frame.id || seen.has(frame.id)) return;
    seen.add(frame.id);
    showTyping(false);
    const message = {
      id: frame.id, role: "agent", text: frame.text, markdown: frame.markdown, actions: frame.actions || [],
      ticket: frame.ticket || null, at: new Date().toISOString(),
    };
    remember(message);
    renderMessage(message);
  }

  function onImage(frame) {
    if (!frame.id || seen.has(frame.id)) return;
    seen.add(frame.id);
    const message = { id: frame.id, role: "agent", text: "", image: { name: frame.name, src: frame.src },
                      at: new Date().toISOString() };
    // A large picture is not kept for a reload: it would crowd the rest of the history out of storage.
    remember(frame.src.length <= KEPT_PICTURE_CHARS ? message : { ...message, image: { name: frame.name } });
    renderMessage(message);
  }

  // ---- input: Enter sends, Shift+Enter breaks the line, nothing is sent while an IME composition is open ----
  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
    sendButton.disabled = !input.value.trim();
  }

  function sendInput() {
    if (submit(input.value)) {
      input.value = "";
      resize();
    }
    input.focus();
  }

  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; });
  input.addEventListener("input", resize);
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey) return;
    if (composing || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    sendInput();
  });
  $("[data-testid=attach-button]").addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    Array.from(fileInput.files).forEach(pick);
    fileInput.value = "";
  });
  $(".composer").addEventListener("submit", (event) => {
    event.preventDefault();
    sendInput();
  });

  // ---- page chrome ----
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = T.title;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = T[node.dataset.i18n]; });
  input.placeholder = T.placeholder;
  T.suggestions.forEach((text) => {
    const chip = el("button", "chip-button", text);
    chip.type = "button";
    chip.addEventListener("click", () => submit(text));
    $(".suggestions").append(chip);
  });
  history.forEach(renderMessage);
  resumeUploads();
  window.addEventListener("online", connect);
  document.addEventListener("visibilitychange", () => { if (!document.hidden && !socket) connect(); });
  resize();
  connect();
  input.focus();
})();
