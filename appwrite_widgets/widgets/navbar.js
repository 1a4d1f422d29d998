// appwrite-widgets NavBar front end (anywidget ES module; common.js comes first).
// Who is signed in (with an "Admin" badge), one button ("Sign in" opens the form, "Sign out"),
// the connection line ("Can't reach Appwrite." with Retry) and a message line under the bar,
// so neither ever moves the button.
// Kernel -> page: the traits user, admin, signed_in, busy, signing_out, offers_sign_in,
// message, tone, offline. Page -> kernel: {kind: "sign-in"}, {kind: "sign-out"}, {kind: "retry"}.

function navView({ model, el }) {
  el.classList.add("aw-root");
  const user = h("strong", { class: "aw-user" });
  const badge = h("span", { class: "aw-badge", text: "Admin" });
  const lead = h("span", { class: "aw-muted aw-lead" });
  const who = h("div", { class: "aw-who" }, lead, user, badge);
  const button = awButton("");
  const message = awNotice("aw-notice aw-bar-message");
  const offlineText = h("span", { class: "aw-offline-text" });
  const retry = awButton("Retry", { title: "Ask Appwrite again now" });
  const offline = h("div", { class: "aw-offline", role: "status", "aria-live": "polite" }, offlineText, retry);
  offline.hidden = true;
  const bar = h(
    "div",
    { class: "aw-bar", role: "group", "aria-label": "Account" },
    who,
    button,
    offline,
    message,
  );
  el.replaceChildren(bar);

  const render = () => {
    const signedIn = model.get("signed_in") === true;
    lead.textContent = signedIn ? "Signed in as" : "Not signed in";
    user.textContent = signedIn ? model.get("user") : "";
    user.hidden = !signedIn;
    badge.hidden = !(signedIn && model.get("admin") === true);
    if (signedIn) {
      const out = model.get("signing_out") === true;
      button.textContent = out ? "Signing out…" : "Sign out";
      button.title = "Sign out of this device";
      button.disabled = model.get("busy") === true;
      button.hidden = false;
      button.className = "aw-button";
    } else {
      button.textContent = "Sign in";
      button.title = "";
      button.disabled = false;
      button.hidden = model.get("offers_sign_in") !== true;
      button.className = "aw-button";
    }
    awSay(message, model.get("message"), model.get("tone"));
    const down = model.get("offline") || "";
    offlineText.textContent = down;
    offline.hidden = !down;
    retry.disabled = model.get("busy") === true;
  };
  retry.addEventListener("click", () => model.send({ kind: "retry" }));
  button.addEventListener("click", () => {
    model.send({ kind: model.get("signed_in") === true ? "sign-out" : "sign-in" });
  });
  const stop = awFollow(
    model,
    ["user", "admin", "signed_in", "busy", "signing_out", "offers_sign_in", "message", "tone", "offline"],
    render,
  );
  const stopRefusals = awRefusals(model, (text) => awSay(message, text, "error"));
  return () => {
    stop();
    stopRefusals();
  };
}

export default { render: navView };
