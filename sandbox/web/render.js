// Telegram's message entities -> DOM nodes, the way Telegram's own apps draw a message.
//
// Bot text arrives as the Bot API hands it to clients: plain text plus entities whose
// offsets and lengths count UTF-16 code units, which is exactly how JavaScript strings
// index. Every character becomes a text node and every entity an element made with
// createElement, so nothing the bot (or a user) wrote is ever parsed as HTML; links keep
// only web, mail, phone and tg: addresses.

const TAGS = {
  bold: "b",
  italic: "i",
  underline: "u",
  strikethrough: "s",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  expandable_blockquote: "blockquote",
};
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:", "tg:"]);

// The address a link may lead to, or null for anything else (javascript:, data:, ...).
export function safeUrl(raw) {
  const text = String(raw ?? "").trim();
  if (!text) return null;
  let url;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

function valid(entity, length) {
  return (
    entity &&
    typeof entity.type === "string" &&
    Number.isInteger(entity.offset) &&
    Number.isInteger(entity.length) &&
    entity.offset >= 0 &&
    entity.length > 0 &&
    entity.offset + entity.length <= length
  );
}

function byPosition(a, b) {
  return a.offset - b.offset || b.length - a.length;
}

// A fragment drawing `text` with its `entities`. `actions.link(url, event)` is called when
// a link is clicked (it may take over, e.g. for t.me links), `actions.command(text)` when
// a /command is.
export function renderText(text, entities = [], actions = {}) {
  const source = String(text ?? "");
  const list = (entities || [])
    .filter((entity) => valid(entity, source.length))
    .map((entity) => ({ ...entity }))
    .sort(byPosition);
  const fragment = document.createDocumentFragment();
  build(fragment, source, 0, source.length, list, actions);
  return fragment;
}

// Entities nest like Telegram's: one that starts inside another and ends past it is split
// at the outer one's end, so the tree stays a tree.
function build(parent, text, start, end, entities, actions) {
  let position = start;
  let queue = entities;
  while (queue.length > 0) {
    const [entity, ...others] = queue;
    const entityEnd = entity.offset + entity.length;
    if (entity.offset > position) parent.append(text.slice(position, entity.offset));
    const inner = [];
    const rest = [];
    for (const other of others) {
      const otherEnd = other.offset + other.length;
      if (other.offset >= entityEnd) {
        rest.push(other);
      } else if (otherEnd <= entityEnd) {
        inner.push(other);
      } else {
        inner.push({ ...other, length: entityEnd - other.offset });
        rest.push({ ...other, offset: entityEnd, length: otherEnd - entityEnd });
      }
    }
    const piece = text.slice(entity.offset, entityEnd);
    const element = elementFor(entity, piece, actions);
    build(element, text, entity.offset, entityEnd, inner, actions);
    parent.append(element);
    position = Math.max(position, entityEnd);
    queue = rest.sort(byPosition);
  }
  if (position < end) parent.append(text.slice(position, end));
}

function link(href, actions) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  anchor.addEventListener("click", (event) => actions.link?.(href, event));
  return anchor;
}

function elementFor(entity, piece, actions) {
  const tag = TAGS[entity.type];
  if (tag) {
    const element = document.createElement(tag);
    if (entity.type === "pre" && typeof entity.language === "string" && entity.language) {
      element.dataset.language = entity.language;
    }
    if (entity.type === "expandable_blockquote") {
      element.classList.add("expandable");
      element.addEventListener("click", () => element.classList.toggle("expanded"));
    }
    return element;
  }
  switch (entity.type) {
    case "spoiler": {
      const element = document.createElement("span");
      element.className = "spoiler";
      element.title = "Spoiler: click to show";
      element.addEventListener("click", () => element.classList.add("revealed"));
      return element;
    }
    case "text_link":
    case "url": {
      const href = safeUrl(entity.type === "url" ? piece : entity.url);
      if (href) return link(href, actions);
      const element = document.createElement("span");
      element.className = "bad-link";
      return element;
    }
    case "email":
      return link(`mailto:${piece}`, actions);
    case "phone_number":
      return link(`tel:${piece.replace(/[^+\d]/g, "")}`, actions);
    case "bot_command": {
      const element = document.createElement("a");
      element.href = "#";
      element.className = "command";
      element.addEventListener("click", (event) => {
        event.preventDefault();
        actions.command?.(piece);
      });
      return element;
    }
    default: {
      // mention, hashtag, cashtag, text_mention, custom_emoji (its fallback emoji), ...
      const element = document.createElement("span");
      element.className = `entity-${entity.type.replace(/[^a-z_]/g, "")}`;
      return element;
    }
  }
}
