// appwrite-widgets browser companion (an anywidget ES module; no build step).
// Keeps this browser's Appwrite session token for the page's origin under one key per
// endpoint + project: sessionStorage by default (survives a reload, not a closed tab),
// localStorage with "Remember me". The token travels only in custom widget messages, never in
// the widget's synced state or the DOM. Protocol: appwrite_widgets/device.py.

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

export default {
  initialize({ model }) {
    const key = model.get("storage_key");
    const onMessage = (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.kind === "keep" && typeof msg.credential === "string") {
        keep(key, msg.credential, msg.persist === true);
      } else if (msg.kind === "forget") {
        forget(key);
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
    model.send({ kind: "hello", credential: read(key), userAgent: navigator.userAgent });
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
