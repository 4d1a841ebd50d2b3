// The sandbox web chat: a Telegram-like chat with the bot, over sandbox/webchat.py's API.
// One server-sent event stream per open chat brings its messages (again when edited), the
// bot's chat actions, its command menu and the users and groups; everything a person does
// here is a POST that acts as the chosen user through the sandbox.

import { renderText, safeUrl } from "./render.js";

const $ = (id) => document.getElementById(id);
const ACTIONS = {
  typing: "typing…",
  upload_photo: "sending a photo…",
  upload_document: "sending a file…",
  upload_video: "sending a video…",
  record_video: "recording a video…",
  record_voice: "recording a voice message…",
  upload_voice: "sending a voice message…",
  choose_sticker: "choosing a sticker…",
  find_location: "finding a location…",
  record_video_note: "recording a video message…",
  upload_video_note: "sending a video message…",
};
const ACTION_SECONDS = 5; // how long Telegram shows a chat action without a new one
const TELEGRAM_HOSTS = new Set(["t.me", "www.t.me", "telegram.me", "www.telegram.me"]);
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

const app = {
  state: null, // bot, users, groups, me, chat (from the stream)
  me: Number(localStorage.getItem("webchat.me")) || null,
  chatId: Number(localStorage.getItem("webchat.chat")) || null,
  messages: new Map(), // id -> view
  blocks: [], // [{ids: [...], element}] in order; an album is one block
  commands: [],
  counts: {},
  seen: JSON.parse(localStorage.getItem("webchat.seen") || "{}"),
  replyTo: null,
  hiddenKeyboard: null, // a one-time reply keyboard already used
  source: null,
  ready: false,
  actionTimer: null,
  pendingLink: null,
  stick: true, // the list shows its end, so what arrives next is scrolled into view
};

// --- talking to the server ------------------------------------------------------------

async function call(path, body, method = "POST") {
  const options = { method, headers: {} };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = {};
  }
  if (!response.ok) throw new Error(answer.error || `the sandbox answered ${response.status}`);
  return answer;
}

function chatPath(suffix) {
  return `/api/chats/${app.chatId}/${suffix}`;
}

function connect() {
  app.source?.close();
  app.ready = false;
  const url = `${chatPath("events")}?as=${encodeURIComponent(app.me)}`;
  const source = new EventSource(url);
  app.source = source;
  source.addEventListener("open", resetChat);
  source.addEventListener("error", () => setStatus("connection lost, reconnecting…"));
  const on = (name, handler) =>
    source.addEventListener(name, (event) => {
      if (source === app.source) handler(JSON.parse(event.data));
    });
  on("state", onState);
  on("commands", (commands) => {
    app.commands = commands;
    drawCommands();
  });
  on("counts", (counts) => {
    app.counts = counts;
    markSeen();
    drawSidebar();
  });
  on("message", onMessage);
  on("deleted", ({ id }) => removeMessage(id));
  on("action", ({ action }) => showAction(action));
  on("ready", () => {
    app.ready = true;
    setStatus(statusLine());
    drawEmptyHint();
    scrollToEnd();
  });
}

// --- state: users, chats, the header ---------------------------------------------------

function onState(state) {
  app.state = state;
  document.title = `${state.chat.title} · sandbox chat`;
  $("chat-title").textContent = state.chat.title;
  $("chat-avatar").textContent = initials(state.chat.title);
  $("chat-avatar").style.background = colorOf(state.chat.id);
  const me = currentUser();
  const select = $("language");
  select.replaceChildren();
  for (const code of new Set(["en", "ru", "es", me?.language || "en"])) {
    select.append(new Option(code, code, false, code === (me?.language || "en")));
  }
  drawSidebar();
  if (app.ready) setStatus(statusLine());
}

function currentUser() {
  return app.state?.users.find((user) => user.id === app.me);
}

function isGroup() {
  return app.chatId < 0;
}

function statusLine() {
  if (isGroup()) {
    const admin = currentUser()?.admin ? ", admin" : "";
    return `group · you are ${currentUser()?.name ?? "?"}${admin} · the bot sees commands, mentions and replies`;
  }
  return "bot";
}

function setStatus(text) {
  $("chat-status").textContent = text;
  $("chat-status").classList.remove("acting");
}

function unread(chatId) {
  const count = app.counts[String(chatId)] || 0;
  return Math.max(0, count - (app.seen[String(chatId)] || 0));
}

function markSeen() {
  app.seen[String(app.chatId)] = app.counts[String(app.chatId)] || 0;
  localStorage.setItem("webchat.seen", JSON.stringify(app.seen));
}

function drawSidebar() {
  const state = app.state;
  if (!state) return;
  const users = $("users");
  users.replaceChildren();
  for (const user of state.users) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "entry" + (user.id === app.me ? " current" : "");
    button.dataset.userId = user.id;
    button.setAttribute("aria-pressed", String(user.id === app.me));
    const avatar = document.createElement("span");
    avatar.className = "avatar small";
    avatar.textContent = initials(user.name);
    avatar.style.background = colorOf(user.id);
    const name = document.createElement("span");
    name.className = "entry-name";
    name.textContent = user.name;
    button.append(avatar, name);
    if (user.admin) button.append(badge("admin", "badge admin"));
    const count = user.id === app.me && !isGroup() ? 0 : unread(user.id);
    if (count) button.append(badge(String(count), "badge unread"));
    button.addEventListener("click", () => switchUser(user.id));
    item.append(button);
    users.append(item);
  }
  const chats = $("chats");
  chats.replaceChildren();
  const entries = [
    { id: app.me, title: `🤖 ${state.bot.name}` },
    ...state.groups.map((group) => ({ id: group.id, title: `👥 ${group.title}` })),
  ];
  for (const entry of entries) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "entry" + (entry.id === app.chatId ? " current" : "");
    button.dataset.chatId = entry.id;
    const name = document.createElement("span");
    name.className = "entry-name";
    name.textContent = entry.title;
    button.append(name);
    const count = entry.id === app.chatId ? 0 : unread(entry.id);
    if (count) button.append(badge(String(count), "badge unread"));
    button.addEventListener("click", () => openChat(entry.id));
    item.append(button);
    chats.append(item);
  }
}

function badge(text, className) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function initials(name) {
  const words = String(name || "?").trim().split(/\s+/);
  return words
    .slice(0, 2)
    .map((word) => Array.from(word)[0] || "")
    .join("")
    .toUpperCase();
}

function colorOf(id) {
  const hues = [211, 12, 145, 265, 32, 187, 330];
  return `hsl(${hues[Math.abs(Number(id)) % hues.length]} 55% 55%)`;
}

function remember() {
  localStorage.setItem("webchat.me", String(app.me));
  localStorage.setItem("webchat.chat", String(app.chatId));
}

function switchUser(userId) {
  app.me = userId;
  if (!isGroup()) app.chatId = userId;
  remember();
  closeMenus();
  connect();
}

function openChat(chatId) {
  app.chatId = chatId;
  remember();
  closeMenus();
  connect();
}

// --- messages ----------------------------------------------------------------------------

function resetChat() {
  app.messages.clear();
  app.blocks = [];
  app.hiddenKeyboard = null;
  $("messages").replaceChildren();
  cancelReply();
  drawReplyKeyboard();
}

function onMessage(view) {
  const known = app.messages.has(view.id);
  app.messages.set(view.id, view);
  if (known) {
    const block = app.blocks.find((candidate) => candidate.ids.includes(view.id));
    if (block) redraw(block);
  } else {
    const last = app.blocks[app.blocks.length - 1];
    const previous = last && app.messages.get(last.ids[last.ids.length - 1]);
    if (view.album && previous && previous.album === view.album) {
      last.ids.push(view.id);
      redraw(last);
    } else {
      const block = { ids: [view.id], element: null };
      app.blocks.push(block);
      redraw(block);
    }
    if (view.from_bot) clearAction();
  }
  drawReplyKeyboard();
  if (app.ready) {
    drawEmptyHint();
    if (app.stick || (!view.from_bot && view.sender.id === app.me)) scrollToEnd();
  }
}

function removeMessage(id) {
  app.messages.delete(id);
  const block = app.blocks.find((candidate) => candidate.ids.includes(id));
  if (!block) return;
  block.ids = block.ids.filter((other) => other !== id);
  if (block.ids.length) {
    redraw(block);
  } else {
    block.element.remove();
    app.blocks = app.blocks.filter((other) => other !== block);
  }
  drawReplyKeyboard();
}

function redraw(block) {
  const element = drawBlock(block.ids.map((id) => app.messages.get(id)));
  if (block.element) block.element.replaceWith(element);
  else $("messages").append(element);
  block.element = element;
}

function drawBlock(views) {
  const first = views[0];
  if (first.service) return drawService(first);
  const outgoing = !first.from_bot && first.sender.id === app.me;
  const row = document.createElement("div");
  row.className = `row ${outgoing ? "out" : "in"}`;
  row.dataset.id = first.id;
  for (const view of views) row.dataset[`m${view.id}`] = "";
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.dataset.messageId = first.id;
  if (!outgoing && isGroup()) {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.style.color = colorOf(first.sender.id);
    sender.textContent = first.sender.name;
    bubble.append(sender);
  }
  if (first.reply_to) bubble.append(drawQuote(first.reply_to));
  const photos = views.filter((view) => view.photo);
  if (photos.length) bubble.append(drawPhotos(photos));
  for (const view of views) {
    if (view.document) bubble.append(drawDocument(view.document));
  }
  if (first.sticker) {
    const sticker = document.createElement("div");
    sticker.className = "sticker";
    sticker.textContent = first.sticker.emoji;
    bubble.append(sticker);
  }
  if (first.invoice) bubble.append(drawInvoice(first));
  const captioned = views.find((view) => view.text);
  if (captioned) {
    const text = document.createElement("div");
    text.className = "text";
    text.append(renderText(captioned.text, captioned.entities, linkActions));
    bubble.append(text);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (views.some((view) => view.edited) ? "edited " : "") + timeOf(first.date);
  bubble.append(meta);
  const body = document.createElement("div");
  body.className = "message";
  body.append(bubble);
  for (const view of views) {
    if (view.keyboard?.inline) body.append(drawInlineKeyboard(view));
  }
  const reply = document.createElement("button");
  reply.type = "button";
  reply.className = "reply-action";
  reply.title = "Reply";
  reply.setAttribute("aria-label", "Reply");
  reply.textContent = "↩";
  reply.addEventListener("click", () => startReply(first));
  bubble.addEventListener("dblclick", () => startReply(first));
  row.append(body, reply);
  return row;
}

function drawService(view) {
  const row = document.createElement("div");
  row.className = "service";
  row.dataset.id = view.id;
  const service = view.service;
  const amount = priceText(service.total_amount, service.currency);
  const who = view.sender.id === app.me ? "You" : view.sender.name;
  const line =
    service.kind === "successful_payment"
      ? `${who} paid ${amount} · simulated, nothing was charged`
      : `${amount} were refunded to ${who}`;
  const text = document.createElement("span");
  text.textContent = line;
  const charge = document.createElement("code");
  charge.className = "charge";
  charge.title = "Telegram's charge id (what /refund takes)";
  charge.textContent = service.telegram_payment_charge_id;
  row.append(text, charge);
  return row;
}

function drawQuote(reply) {
  const quote = document.createElement("div");
  quote.className = "quote";
  const name = document.createElement("b");
  name.textContent = reply.name;
  const text = document.createElement("span");
  text.textContent = reply.text;
  quote.append(name, text);
  quote.addEventListener("click", () => {
    const target = document.querySelector(`[data-m${Number(reply.id)}]`);
    target?.scrollIntoView({ block: "center", behavior: "smooth" });
    target?.classList.add("flash");
    setTimeout(() => target?.classList.remove("flash"), 1200);
  });
  return quote;
}

function fileUrl(fileId, download = false) {
  return `/api/files/${encodeURIComponent(fileId)}${download ? "?download=1" : ""}`;
}

function drawPhotos(views) {
  const grid = document.createElement("div");
  grid.className = views.length > 1 ? "album" : "photo-frame";
  for (const view of views) {
    const anchor = document.createElement("a");
    anchor.href = fileUrl(view.photo.full);
    anchor.target = "_blank";
    anchor.rel = "noopener";
    anchor.title = "Open the photo";
    const image = document.createElement("img");
    image.className = "photo";
    image.alt = "Photo";
    image.src = fileUrl(view.photo.preview);
    image.width = view.photo.width;
    image.height = view.photo.height;
    image.addEventListener("load", () => app.stick && scrollToEnd());
    anchor.append(image);
    grid.append(anchor);
  }
  return grid;
}

function drawDocument(document_) {
  const card = document.createElement("div");
  card.className = "document";
  const icon = document.createElement("span");
  icon.className = "document-icon";
  icon.textContent = (document_.name.split(".").pop() || "file").slice(0, 4).toUpperCase();
  const details = document.createElement("div");
  details.className = "document-details";
  const name = document.createElement("a");
  name.className = "document-name";
  name.href = fileUrl(document_.file_id);
  name.target = "_blank";
  name.rel = "noopener";
  name.textContent = document_.name;
  name.title = "Open the file";
  const size = document.createElement("span");
  size.className = "document-size";
  size.textContent = sizeText(document_.size);
  const download = document.createElement("a");
  download.className = "document-download";
  download.href = fileUrl(document_.file_id, true);
  download.download = document_.name;
  download.textContent = "Download";
  details.append(name, size, download);
  card.append(icon, details);
  return card;
}

function drawInvoice(view) {
  const invoice = view.invoice;
  const card = document.createElement("div");
  card.className = "invoice";
  const title = document.createElement("b");
  title.textContent = invoice.title;
  const description = document.createElement("p");
  description.textContent = invoice.description;
  const price = document.createElement("div");
  price.className = "invoice-price";
  price.textContent = priceText(invoice.total_amount, invoice.currency);
  card.append(title, description, price);
  const hasPayButton = view.keyboard?.inline?.some((row) => row.some((b) => b.kind === "pay"));
  if (!hasPayButton) {
    const pay = document.createElement("button");
    pay.type = "button";
    pay.className = "pay";
    pay.textContent = `Pay ${priceText(invoice.total_amount, invoice.currency)}`;
    pay.addEventListener("click", () => openPayment({ message_id: view.id }));
    card.append(pay);
  }
  return card;
}

function drawInlineKeyboard(view) {
  const keyboard = document.createElement("div");
  keyboard.className = "inline-keyboard";
  view.keyboard.inline.forEach((row, rowIndex) => {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    row.forEach((button, columnIndex) => {
      const element = document.createElement("button");
      element.type = "button";
      element.className = `key key-${button.kind}`;
      element.textContent = button.text;
      if (button.kind === "url") {
        element.title = button.url;
        element.append(badge("↗", "key-corner"));
      }
      if (button.kind === "other") {
        element.disabled = true;
        element.title = "This kind of button does nothing in the sandbox";
      }
      element.addEventListener("click", () =>
        pressInline(view, rowIndex, columnIndex, button, element),
      );
      line.append(element);
    });
    keyboard.append(line);
  });
  return keyboard;
}

async function pressInline(view, row, column, button, element) {
  if (button.kind === "url") return followLink(button.url);
  if (button.kind === "pay") return openPayment({ message_id: view.id });
  if (button.kind === "copy") {
    await navigator.clipboard?.writeText(button.copy);
    return toast("Copied");
  }
  if (button.kind !== "callback") return;
  element.classList.add("pending");
  try {
    const answer = await call(chatPath("press"), {
      as: app.me,
      message_id: view.id,
      row,
      column,
    });
    if (!answer.answered) toast("The bot did not answer the button.");
    else if (answer.text && answer.show_alert) showAlert(answer.text);
    else if (answer.text) toast(answer.text);
  } catch (error) {
    toast(error.message);
  } finally {
    element.classList.remove("pending");
  }
}

function drawEmptyHint() {
  const list = $("messages");
  list.querySelector(".empty")?.remove();
  if (app.messages.size) return;
  const hint = document.createElement("div");
  hint.className = "empty";
  const text = document.createElement("p");
  text.textContent = isGroup()
    ? "No messages here yet. Commands like /help@bot reach the bot in a group."
    : `This is ${currentUser()?.name ?? "your"}'s private chat with the bot.`;
  hint.append(text);
  if (!isGroup()) {
    const start = document.createElement("button");
    start.type = "button";
    start.className = "primary";
    start.textContent = "Start";
    start.addEventListener("click", () => sendText("/start"));
    hint.append(start);
  }
  list.append(hint);
}

// --- the reply keyboard, the command menu, chat actions ----------------------------------

function currentReplyKeyboard() {
  const views = [...app.messages.values()].filter((view) => view.from_bot && view.keyboard);
  for (let index = views.length - 1; index >= 0; index -= 1) {
    const keyboard = views[index].keyboard;
    if (keyboard.reply) return app.hiddenKeyboard === views[index].id ? null : views[index];
    if (keyboard.remove || keyboard.force_reply) return null;
  }
  return null;
}

function drawReplyKeyboard() {
  const holder = $("reply-keyboard");
  const view = currentReplyKeyboard();
  holder.replaceChildren();
  holder.hidden = !view;
  const forced = [...app.messages.values()].reverse().find((v) => v.from_bot && v.keyboard);
  $("text").placeholder =
    view?.keyboard.placeholder || forced?.keyboard?.placeholder || "Message";
  if (!view) return;
  for (const row of view.keyboard.reply) {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    for (const text of row) {
      const key = document.createElement("button");
      key.type = "button";
      key.className = "key";
      key.textContent = text;
      key.addEventListener("click", () => {
        if (view.keyboard.one_time) app.hiddenKeyboard = view.id;
        sendText(text);
        drawReplyKeyboard();
      });
      line.append(key);
    }
    holder.append(line);
  }
}

function drawCommands(filter = null) {
  const menu = $("commands");
  menu.replaceChildren();
  const wanted = filter?.toLowerCase();
  const shown = app.commands.filter((c) => !wanted || `/${c.command}`.startsWith(wanted));
  $("menu-button").hidden = app.commands.length === 0;
  for (const command of shown) {
    const item = document.createElement("button");
    item.type = "button";
    item.className = "command-item";
    item.setAttribute("role", "menuitem");
    const name = document.createElement("b");
    name.textContent = `/${command.command}`;
    const description = document.createElement("span");
    description.textContent = command.description;
    item.append(name, description);
    item.addEventListener("click", () => {
      closeMenus();
      $("text").value = "";
      sendText(`/${command.command}`);
    });
    menu.append(item);
  }
  if (filter !== null) menu.hidden = shown.length === 0;
}

function showAction(action) {
  const status = $("chat-status");
  status.textContent = `${app.state?.bot.name ?? "bot"} is ${ACTIONS[action] ?? "busy…"}`;
  status.classList.add("acting");
  clearTimeout(app.actionTimer);
  app.actionTimer = setTimeout(clearAction, ACTION_SECONDS * 1000);
}

function clearAction() {
  clearTimeout(app.actionTimer);
  if ($("chat-status").classList.contains("acting")) setStatus(statusLine());
}

// --- links and payments -------------------------------------------------------------------

const linkActions = {
  link: (href, event) => followLink(href, event),
  command: (text) => sendText(isGroup() ? text : text.replace(/@\w+$/, "")),
};

// What following a link means here: an invoice link opens the payment sheet, a link to this
// bot opens a chat with it (as whom: a dialog asks), anything else opens in a new tab.
function classify(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return "external";
  }
  const bot = app.state?.bot.username.toLowerCase();
  if ((url.protocol === "https:" || url.protocol === "http:") && TELEGRAM_HOSTS.has(url.hostname)) {
    const path = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ""));
    if (path.startsWith("$")) return "invoice";
    if (path.toLowerCase() === bot) return "bot";
  }
  if (url.protocol === "tg:" && url.hostname === "resolve") {
    if ((url.searchParams.get("domain") || "").toLowerCase() === bot) return "bot";
  }
  return "external";
}

// `event` is a click on a link in a message, whose own navigation does the opening; a
// button has none.
function followLink(raw, event) {
  const kind = classify(raw);
  if (kind === "external") {
    const href = safeUrl(raw);
    if (!event && href) window.open(href, "_blank", "noopener,noreferrer");
    if (!href) event?.preventDefault();
    return;
  }
  event?.preventDefault();
  if (kind === "invoice") openPayment({ link: raw });
  else openAs(raw);
}

function priceText(amount, currency) {
  if (currency === "XTR") return `⭐ ${Number(amount).toLocaleString("en")}`;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).format(amount / 100);
  } catch {
    return `${amount} ${currency}`;
  }
}

async function openPayment(target) {
  const dialog = $("payment");
  let invoice;
  try {
    const query = new URLSearchParams({ as: app.me, ...target });
    invoice = await call(`${chatPath("invoice")}?${query}`, undefined, "GET");
  } catch (error) {
    return toast(error.message);
  }
  const price = priceText(invoice.total_amount, invoice.currency);
  const period = invoice.subscription_period ? " / 30 days" : "";
  $("payment-title").textContent = invoice.title;
  $("payment-description").textContent = invoice.description;
  $("payment-total").textContent = price + period;
  $("payment-error").hidden = true;
  const pay = $("payment-pay");
  pay.disabled = false;
  pay.textContent = `Pay ${price}`;
  pay.onclick = async () => {
    pay.disabled = true;
    pay.textContent = "Paying…";
    try {
      const result = await call(chatPath("pay"), { as: app.me, ...target });
      if (!result.ok) throw new Error(result.error);
      pay.textContent = "✅ Paid";
      setTimeout(() => dialog.close(), 500);
    } catch (error) {
      $("payment-error").textContent = error.message;
      $("payment-error").hidden = false;
      pay.disabled = false;
      pay.textContent = `Pay ${price}`;
    }
  };
  dialog.showModal();
}

function openAs(link) {
  app.pendingLink = link;
  $("open-as-link").textContent = link;
  const choices = $("open-as-users");
  choices.replaceChildren();
  const users = [...(app.state?.users ?? [])].sort((a, b) => (b.id === app.me) - (a.id === app.me));
  for (const user of users) {
    const choice = document.createElement("button");
    choice.type = "button";
    choice.className = "choice";
    choice.textContent = user.id === app.me ? `${user.name} (you now)` : user.name;
    choice.addEventListener("click", () => followAs(user.id));
    choices.append(choice);
  }
  $("open-as").showModal();
}

async function followAs(userId) {
  $("open-as").close();
  try {
    const opened = await call("/api/open", { as: userId, link: app.pendingLink });
    app.me = userId;
    app.chatId = opened.chat_id;
    remember();
    connect();
  } catch (error) {
    toast(error.message);
  }
}

// --- sending --------------------------------------------------------------------------------

async function sendText(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  const reply = app.replyTo;
  cancelReply();
  try {
    await call(chatPath("messages"), { as: app.me, text: trimmed, reply_to: reply?.id ?? null });
  } catch (error) {
    toast(error.message);
  }
}

async function sendFile(file, kind) {
  const form = new FormData();
  form.append("as", String(app.me));
  form.append("kind", kind);
  const caption = $("text").value.trim();
  if (caption) {
    form.append("caption", caption);
    $("text").value = "";
  }
  form.append("file", file, file.name || (kind === "photo" ? "photo.jpg" : "file"));
  toast(`Sending ${file.name || "the file"}…`);
  try {
    await call(chatPath("files"), form);
    hideToast();
  } catch (error) {
    toast(error.message);
  }
}

function startReply(view) {
  app.replyTo = { id: view.id };
  $("reply-name").textContent = view.from_bot ? app.state?.bot.name ?? "bot" : view.sender.name;
  $("reply-text").textContent =
    view.text.slice(0, 80) || (view.photo ? "Photo" : view.document ? "File" : "Message");
  $("reply-bar").hidden = false;
  $("text").focus();
}

function cancelReply() {
  app.replyTo = null;
  $("reply-bar").hidden = true;
}

// --- small pieces ---------------------------------------------------------------------------

function timeOf(seconds) {
  const date = new Date(Number(seconds) * 1000);
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function sizeText(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function nearEnd() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function scrollToEnd() {
  const list = $("messages");
  list.scrollTop = list.scrollHeight;
  app.stick = true;
}

let toastTimer = null;
function toast(text) {
  const element = $("toast");
  element.textContent = text;
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, 3000);
}

function hideToast() {
  $("toast").hidden = true;
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").showModal();
}

function closeMenus() {
  $("commands").hidden = true;
  $("attach-menu").hidden = true;
}

// --- wiring -------------------------------------------------------------------------------

function wire() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value;
    $("text").value = "";
    closeMenus();
    sendText(text);
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape") {
      closeMenus();
      cancelReply();
    }
  });
  $("text").addEventListener("input", () => {
    const value = $("text").value;
    if (/^\/\w*$/.test(value)) drawCommands(value);
    else if (!$("commands").hidden) closeMenus();
  });
  $("menu-button").addEventListener("click", () => {
    drawCommands();
    $("attach-menu").hidden = true;
    $("commands").hidden = !$("commands").hidden;
  });
  $("attach-button").addEventListener("click", () => {
    $("commands").hidden = true;
    $("attach-menu").hidden = !$("attach-menu").hidden;
  });
  for (const button of $("attach-menu").querySelectorAll("button")) {
    button.addEventListener("click", () => {
      closeMenus();
      $(button.dataset.kind === "photo" ? "photo-input" : "file-input").click();
    });
  }
  for (const [id, kind] of [
    ["photo-input", "photo"],
    ["file-input", "document"],
  ]) {
    $(id).addEventListener("change", () => {
      const [file] = $(id).files;
      if (file) sendFile(file, kind);
      $(id).value = "";
    });
  }
  const chat = $("chat");
  chat.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    $("drop-hint").hidden = false;
  });
  chat.addEventListener("dragleave", (event) => {
    if (!chat.contains(event.relatedTarget)) $("drop-hint").hidden = true;
  });
  chat.addEventListener("drop", (event) => {
    event.preventDefault();
    $("drop-hint").hidden = true;
    for (const file of event.dataTransfer?.files ?? []) {
      sendFile(file, PHOTO_TYPES.has(file.type) ? "photo" : "document");
    }
  });
  $("messages").addEventListener("scroll", () => {
    app.stick = nearEnd();
  });
  $("reply-cancel").addEventListener("click", cancelReply);
  $("language").addEventListener("change", async () => {
    try {
      await call(`/api/users/${app.me}`, { language: $("language").value });
      toast(`The bot sees language ${$("language").value} from your next message.`);
    } catch (error) {
      toast(error.message);
    }
  });
  $("new-user").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const created = await call("/api/users", {
        name: form.elements.name.value,
        language: form.elements.language.value,
      });
      form.reset();
      switchUser(created.id);
    } catch (error) {
      toast(error.message);
    }
  });
  $("new-group").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const created = await call("/api/groups", { title: form.elements.title.value });
      form.reset();
      openChat(created.id);
    } catch (error) {
      toast(error.message);
    }
  });
  $("open-as-new").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const created = await call("/api/users", { name: form.elements.name.value });
      form.reset();
      await followAs(created.id);
    } catch (error) {
      toast(error.message);
    }
  });
  $("open-as-cancel").addEventListener("click", () => $("open-as").close());
  $("payment-cancel").addEventListener("click", () => $("payment").close());
  $("alert-ok").addEventListener("click", () => $("alert").close());
  document.addEventListener("click", (event) => {
    const inside = event.target.closest?.("#commands, #attach-menu, #menu-button, #attach-button");
    if (!inside) closeMenus();
  });
}

async function start() {
  wire();
  const state = await call("/api/state", undefined, "GET");
  const known = (id) => state.users.some((user) => user.id === id);
  if (!known(app.me)) app.me = state.default_user;
  const chatKnown =
    app.chatId === app.me || state.groups.some((group) => group.id === app.chatId);
  if (!chatKnown) app.chatId = app.me;
  remember();
  connect();
}

start().catch((error) => setStatus(`cannot reach the bot: ${error.message}`));
