// appwrite-widgets browser companion (an anywidget ES module; common.js comes first).
// Keeps this browser's Appwrite session token for the page's origin under one key per
// endpoint + project: sessionStorage by default (survives a reload, not a closed tab),
// localStorage with "Remember me". The token travels only in custom widget messages, never in
// the widget's synced state or the DOM. Protocol: appwrite_widgets/session/_device.py.
//
// Sign-ins that come back to the page: a mailed link (magic link, password reset, email
// verification) or an OAuth2 sign-in ends on this page's address with "aw-link=<purpose>",
// "userId" and "secret". The companion takes them out of the address bar at once and hands
// them to the kernel in one message. OAuth2 opens in a popup in JupyterLab / Notebook 7 (the
// opener reads where the popup lands, then closes it) and in the whole page elsewhere (Voila);
// an OAuth2 answer is taken only by the browser that started that sign-in.

function stores() {
  const found = [];
  for (const name of ["sessionStorage", "localStorage"]) {
    try {
      if (window[name]) found.push(window[name]);
    } catch (e) {
      // storage disabled (privacy settings): the page works, signed out on reload
    }
  }
  return found;
}

function read(key) {
  for (const store of stores()) {
    const value = store.getItem(key);
    if (value) return value;
  }
  return null;
}

function forget(key) {
  for (const store of stores()) store.removeItem(key);
}

function keep(key, token, persist) {
  forget(key);
  try {
    (persist ? window.localStorage : window.sessionStorage).setItem(key, token);
  } catch (e) {
    console.warn("appwrite-widgets: this browser would not store the session", e.name);
  }
}

// -- sign-ins that come back to the page ----------------------------------------------------

const LINK_PARAMS = ["aw-link", "userId", "secret", "expire", "project", "error"];
const PURPOSES = ["oauth2", "magic-url", "recovery", "verification"];
const POPUP = AW_OAUTH2_POPUP;
const PENDING_FOR = 10 * 60 * 1000; // an OAuth2 sign-in started more than 10 min ago: stale

/** What a sign-in added to `href` ({purpose, userId, secret, error}), or null. */
function linkIn(href) {
  let url;
  try {
    url = new URL(href);
  } catch (e) {
    return null;
  }
  const purpose = url.searchParams.get("aw-link");
  if (!PURPOSES.includes(purpose)) return null;
  return {
    purpose,
    userId: url.searchParams.get("userId") || "",
    secret: url.searchParams.get("secret") || "",
    error: url.searchParams.get("error") || "",
  };
}

/** The page's address without what a sign-in added (and without a bare trailing "#"). */
function cleanAddress(href) {
  const url = new URL(href);
  for (const name of LINK_PARAMS) url.searchParams.delete(name);
  if (url.hash === "#") url.hash = "";
  return url.toString().replace(/#$/, "");
}

/** The message of Appwrite's `error` parameter (JSON {message, type, code}), as text. */
function errorText(error) {
  try {
    const parsed = JSON.parse(error);
    if (parsed && typeof parsed.message === "string") return parsed.message;
  } catch (e) {
    // not JSON: the raw text
  }
  return String(error);
}

function pendingKey(key) {
  return `${key}|oauth2-pending`;
}

/** Whether this browser tab started an OAuth2 sign-in (and with Remember me); taken once. */
function takePending(key) {
  let raw = null;
  try {
    raw = window.sessionStorage.getItem(pendingKey(key));
    window.sessionStorage.removeItem(pendingKey(key));
  } catch (e) {
    return null;
  }
  try {
    const pending = JSON.parse(raw);
    if (pending && typeof pending.at === "number" && Date.now() - pending.at < PENDING_FOR) {
      return { persist: pending.persist === true };
    }
  } catch (e) {
    // nothing pending
  }
  return null;
}

/** The message for the kernel about a sign-in found in an address (null: nothing to say). */
function handOver(found, pending) {
  if (found.purpose === "oauth2") {
    if (!pending) return null; // this browser did not start it: a link someone else made
    if (found.error) return { kind: "oauth2-failed", reason: "provider", message: errorText(found.error).slice(0, 1000) };
  }
  if (!found.userId || !found.secret) return null;
  return {
    kind: "link",
    purpose: found.purpose,
    userId: found.userId,
    secret: found.secret,
    persist: Boolean(pending && pending.persist),
  };
}

/** Open the provider: a popup in JupyterLab / Notebook 7, the whole page elsewhere. */
function startOAuth2(model, key, url, persist) {
  if (!/^https?:\/\//.test(url)) return;
  if (!awInJupyter()) {
    try {
      window.sessionStorage.setItem(pendingKey(key), JSON.stringify({ at: Date.now(), persist }));
    } catch (e) {
      model.send({ kind: "oauth2-failed", reason: "blocked", message: "" });
      return;
    }
    window.location.assign(url);
    return;
  }
  const popup = window.open(url, POPUP, "popup,width=520,height=720");
  if (!popup) {
    model.send({ kind: "oauth2-failed", reason: "blocked", message: "" });
    return;
  }
  // Where the popup is, once it is back on this page's origin (the provider's pages are
  // another origin: reading them throws).
  const timer = setInterval(() => {
    if (popup.closed) {
      clearInterval(timer);
      model.send({ kind: "oauth2-failed", reason: "closed", message: "" });
      return;
    }
    let href = "";
    try {
      href = popup.location.href;
    } catch (e) {
      return; // at the provider
    }
    const found = linkIn(href);
    if (!found || found.purpose !== "oauth2") return;
    clearInterval(timer);
    popup.close();
    const message = handOver(found, { persist });
    if (message) model.send(message);
  }, 100);
}

export default {
  initialize({ model }) {
    const key = model.get("storage_key");
    if (window.name === POPUP && window.opener) {
      return () => {}; // an OAuth2 popup that landed here: its opener reads it and closes it
    }
    const onMessage = (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.kind === "keep" && typeof msg.credential === "string") {
        keep(key, msg.credential, msg.persist === true);
      } else if (msg.kind === "forget") {
        forget(key);
      } else if (msg.kind === "oauth2" && typeof msg.url === "string") {
        startOAuth2(model, key, msg.url, msg.persist === true);
      } else if (msg.kind === "error") {
        console.warn("appwrite-widgets:", String(msg.message));
      }
    };
    // The page may follow the companion (no secret in it): "waiting", "restoring", "ready".
    const announce = () => {
      const detail = { storageKey: key, phase: model.get("phase") };
      window.dispatchEvent(new CustomEvent("appwrite-widgets:companion", { detail }));
    };
    model.on("msg:custom", onMessage);
    model.on("change:phase", announce);
    // A sign-in that came back to this page: out of the address bar before anything else.
    const found = linkIn(window.location.href);
    let link = null;
    if (found) {
      window.history.replaceState(window.history.state, "", cleanAddress(window.location.href));
      link = handOver(found, found.purpose === "oauth2" ? takePending(key) : null);
    }
    model.send({
      kind: "hello",
      credential: read(key),
      userAgent: navigator.userAgent,
      page: cleanAddress(window.location.href),
    });
    if (link) model.send(link);
    return () => {
      model.off("msg:custom", onMessage);
      model.off("change:phase", announce);
    };
  },
  render({ model, el }) {
    el.classList.add("aw-companion");
    const show = () => {
      el.dataset.phase = model.get("phase");
    };
    show();
    model.on("change:phase", show);
    return () => model.off("change:phase", show);
  },
};
