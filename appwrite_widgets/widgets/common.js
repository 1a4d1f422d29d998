// appwrite-widgets: helpers shared by the widgets' front ends. The kernel puts this file in
// front of each widget's own module (anywidget loads one module per widget; no build step).
// Rule: text that people or devices set (names, emails, device strings, server messages) goes
// into the page as text (textContent / text nodes), never as HTML.

let awCounter = 0;

/** A unique id prefix for one view (labels point at their inputs by id). */
function awId(name) {
  awCounter += 1;
  return `aw-${name}-${awCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** An element: props are attributes ("text" sets textContent, "on<event>" adds a listener,
 *  false/null/undefined are left out); children are elements or strings (text nodes). */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** A button (type="button" unless given). */
function awButton(label, props = {}) {
  return h("button", { type: "button", class: "aw-button", ...props }, label);
}

/** A small outline icon (desktop, phone, tablet, browser), hidden from screen readers. */
function awIcon(kind) {
  const paths = {
    desktop: ["M3 4h18v12H3z", "M8 20h8", "M12 16v4"],
    phone: ["M8 2h8a1 1 0 0 1 1 1v18a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1z", "M11 19h2"],
    tablet: ["M5 3h14a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z", "M11 18h2"],
    other: ["M3 5h18v14H3z", "M3 9h18"],
  };
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "aw-icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of paths[kind] || paths.other) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "yesterday", "5 days ago", "in 11 months". */
function awRelative(iso, now = Date.now()) {
  const then = Date.parse(iso);
  if (!iso || Number.isNaN(then)) return "unknown";
  const seconds = Math.round((now - then) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const say = (n, unit) => {
    const text = `${n} ${unit}${n === 1 || unit === "min" || unit === "s" || unit === "h" ? "" : "s"}`;
    return future ? `in ${text}` : `${text} ago`;
  };
  if (s < 10) return future ? "in a moment" : "just now";
  if (s < 60) return say(s, "s");
  if (s < 3600) return say(Math.floor(s / 60), "min");
  if (s < 86400) return say(Math.floor(s / 3600), "h");
  const days = Math.floor(s / 86400);
  if (days === 1) return future ? "tomorrow" : "yesterday";
  if (days < 31) return say(days, "day");
  if (days < 365) return say(Math.floor(days / 30.4), "month");
  return say(Math.floor(days / 365), "year");
}

/** The exact local time of an ISO timestamp, for a tooltip. */
function awExact(iso) {
  const then = new Date(iso);
  if (!iso || Number.isNaN(then.getTime())) return "";
  return then.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}

/** A <time> showing a relative time, the exact time on hover; refreshed by awTick. */
function awTime(iso, prefix = "") {
  const node = h("time", { class: "aw-time", datetime: iso || null, title: awExact(iso) || null });
  node.dataset.prefix = prefix;
  node.dataset.iso = iso || "";
  node.textContent = prefix + awRelative(iso);
  return node;
}

/** Re-render the relative times inside root every 20 s; returns the cleanup. */
function awTick(root) {
  const timer = setInterval(() => {
    for (const node of root.querySelectorAll("time.aw-time")) {
      node.textContent = node.dataset.prefix + awRelative(node.dataset.iso);
    }
  }, 20_000);
  return () => clearInterval(timer);
}

/** Replace `slot`'s content with "question [confirm] [Cancel]" until one is chosen: nothing
 *  happens on the first click of a destructive action. Escape cancels. */
function awConfirm(slot, { question, confirm, onConfirm, onClose, key, focus = true, disabled = false, danger = true }) {
  const before = [...slot.childNodes];
  const restore = () => {
    onClose?.();
    slot.replaceChildren(...before);
    before.find((n) => n.tagName === "BUTTON")?.focus();
  };
  const keyed = (suffix) => (key ? { "data-key": `${key}:${suffix}` } : {});
  const yes = awButton(confirm, { class: `aw-button ${danger ? "aw-danger" : "aw-primary"}`, ...keyed("yes") });
  const no = awButton("Cancel", keyed("no"));
  yes.disabled = disabled;
  yes.addEventListener("click", () => {
    yes.disabled = no.disabled = true;
    onConfirm();
  });
  no.addEventListener("click", restore);
  const box = h(
    "span",
    { class: "aw-confirm", role: "group", "aria-label": question },
    h("span", { class: "aw-question", text: question }),
    yes,
    no,
  );
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      restore();
    }
  });
  slot.replaceChildren(box);
  if (focus) no.focus();
}

/**
 * The questions a view has open, by key, so that a re-render (new rows, a busy flag, a
 * Realtime update) keeps the question on screen instead of silently dropping it.
 * `asker.place(slot, button, key, options)` puts the button in the slot and, when the
 * question for `key` is open, the question instead (its "yes" disabled while `busy`).
 */
function awAsker() {
  let open = null;
  return {
    place(slot, button, key, { busy = false, ...options }) {
      const ask = (focus) => {
        open = key;
        awConfirm(slot, {
          ...options,
          key,
          focus,
          disabled: busy,
          onClose: () => {
            if (open === key) open = null;
          },
          onConfirm: () => {
            open = null;
            options.onConfirm();
          },
        });
      };
      button.addEventListener("click", () => ask(true));
      slot.replaceChildren(button);
      if (open === key) ask(false);
    },
    /** Forget a question whose subject is gone (the row was signed out elsewhere). */
    keepOnly(keys) {
      if (open !== null && !keys.includes(open)) open = null;
    },
  };
}

/** A field's own error line, read with its input (aria-describedby, after a hint's id). */
function awFieldError(input, hint = null) {
  const error = h("p", { class: "aw-field-error", id: `${input.id}-error` });
  error.hidden = true;
  input.setAttribute("aria-describedby", hint ? `${hint.id} ${error.id}` : error.id);
  return error;
}

/** A live line for what happened ("status") or what went wrong ("alert"). */
function awNotice(className = "aw-notice") {
  const node = h("p", { class: className, role: "status", "aria-live": "polite" });
  node.hidden = true;
  return node;
}

function awSay(node, message, tone) {
  node.textContent = message || "";
  node.hidden = !message;
  node.dataset.tone = tone || "info";
}

/** Follow the kernel's refusals ({kind: "error"}) of this view's messages. */
function awRefusals(model, show) {
  const onMessage = (msg) => {
    if (msg && typeof msg === "object" && msg.kind === "error") show(String(msg.message));
  };
  model.on("msg:custom", onMessage);
  return () => model.off("msg:custom", onMessage);
}

/** Call render() now and whenever one of the traits changes; returns the cleanup. A render
 *  that fails is reported in the console (it must not break the widget manager's update). */
function awFollow(model, names, render) {
  const safely = () => {
    try {
      render();
    } catch (error) {
      console.error("appwrite-widgets: a view failed to render", error);
    }
  };
  const events = names.map((name) => `change:${name}`);
  for (const event of events) model.on(event, safely);
  safely();
  return () => {
    for (const event of events) model.off(event, safely);
  };
}

/** Run render() and give the focus back to the control it had, found by its data-key
 *  (re-rendered lists replace their buttons). `memory` is the view's own {key}: a control
 *  that is disabled while the kernel works gets the focus back once it is enabled again. */
function awKeepFocus(root, memory, render) {
  const active = document.activeElement;
  if (active && root.contains(active)) {
    if (active.dataset.key) memory.key = active.dataset.key;
  } else if (active && active !== document.body) {
    memory.key = null; // the person went elsewhere
  }
  render();
  if (!memory.key || root.contains(document.activeElement)) return;
  const again = [...root.querySelectorAll("[data-key]")].find((n) => n.dataset.key === memory.key);
  if (again && !again.disabled) again.focus();
}

/** Whether this page is a notebook editor (JupyterLab, Notebook 7) rather than an app page
 *  (Voila): an OAuth2 sign-in opens in a popup there, so the notebook stays where it is. */
function awInJupyter() {
  if (document.body && document.body.dataset.voila !== undefined) return false;
  if (document.querySelector(".jp-LabShell, .jp-NotebookShell")) return true;
  return /\/(lab|notebooks|tree|doc)(\/|$)/.test(window.location.pathname);
}

/** The window name OAuth2 popups open in (the form opens it on the click, the companion
 *  then sends it to the provider). */
const AW_OAUTH2_POPUP = "appwrite-widgets-oauth2";

/** Enter in a form's text field submits the form, in JupyterLab too: there the browser's own
 *  implicit submission does not happen in an output (its notebook takes the key first). */
function awEnterSubmits(form) {
  const typed = ["text", "email", "password", "search", "tel", "url", "number"];
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    if (target.tagName !== "INPUT" || !typed.includes(target.type)) return;
    event.preventDefault(); // no second, implicit submission where the browser does it
    form.requestSubmit();
  });
  return form;
}
