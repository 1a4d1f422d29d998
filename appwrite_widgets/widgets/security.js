// appwrite-widgets SecurityPanel front end (anywidget ES module; common.js comes first).
// Kernel -> page: the traits signed_in, busy, email, email_verified, mfa, totp, recovery_codes,
// phone (a verified phone: codes by text message, which are not sent here), notice, tone,
// about (the field a failure concerns: it shows under that field, else at the bottom; no
// secret); the messages of kind "totp" (qr: the QR code as an SVG data: URI,
// secret: the key, uri: the otpauth:// URI), "codes" (codes) and "wipe". The QR code, the key
// and the codes are shown from those messages only, as text (the QR as an image), and dropped
// when the app is confirmed, when the person says the codes are saved, and at sign-out.
// Page -> kernel: {kind: "totp-start"}, {kind: "totp-confirm", code}, {kind: "totp-remove",
// code}, {kind: "codes-new", code}, {kind: "mfa", on}, {kind: "password", old, new},
// {kind: "verify-email", url}. Typed codes and passwords are sent once and the inputs emptied.

function awCodeInput(id, label, { optional = false } = {}) {
  const input = h("input", {
    id,
    name: "one-time-code",
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    autocapitalize: "none",
    spellcheck: "false",
    maxlength: "64",
    required: !optional,
  });
  const error = awFieldError(input);
  const box = h("div", { class: "aw-field" }, h("label", { for: id, text: label }), input, error);
  return { box, input, error };
}

/** What the two-step sign-in line says: on or off, and with what. A phone's codes (text
 *  messages) are not sent here: with no other factor, it says what to do instead. */
function mfaSays({ mfa, totp, verified, phone, codes }) {
  const ways = [];
  if (totp) ways.push("a code from your authenticator app");
  if (verified) ways.push("a code sent to your email");
  if (mfa && ways.length) {
    if (codes) ways.push("one of your recovery codes");
    return [`On: after your password, ${ways.join(" or ")} is asked.`, "info"];
  }
  if (mfa && phone) {
    return ["On, with a code by text message, which this app cannot send: set up an authenticator app to sign in here.", "warning"];
  }
  if (mfa) return ["On.", "info"];
  if (ways.length) return ["Off: your password alone signs you in.", "info"];
  if (phone) return ["Off. This app cannot send codes by text message: set up an authenticator app to turn it on.", "info"];
  return ["Off. Set up an authenticator app to turn it on.", "info"];
}

function securityView({ model, el }) {
  el.classList.add("aw-root");
  // Keys typed here are the panel's (Enter submits, Space presses), not JupyterLab's
  // notebook shortcuts (Enter would open the cell's editor instead).
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const id = awId("security");
  const asker = awAsker();
  const notice = awNotice();

  // -- Two-step sign-in -------------------------------------------------------------------
  const mfaTitle = h("h3", { class: "aw-title", text: "Two-step sign-in" });
  const mfaState = h("p", { class: "aw-security-state aw-notice" });
  const mfaSlot = h("span", { class: "aw-slot" });
  const startTotp = awButton("Set up an authenticator app", { class: "aw-button aw-primary", "data-key": "totp-start" });

  // The enrolment: QR code, key, confirmation code (from the "totp" message only).
  // The QR code's text twin is the key under it (and the setup link): the alt says so.
  const qr = h("img", {
    class: "aw-qr",
    alt: "QR code to scan with your authenticator app: it holds the key shown below as text.",
    width: "200",
    height: "200",
  });
  const secret = h("code", { class: "aw-totp-secret" });
  const uri = h("code", { class: "aw-totp-uri" });
  const confirmCode = awCodeInput(`${id}-confirm`, "Code from the app");
  const confirm = h("button", { type: "submit", class: "aw-button aw-primary" }, "Confirm");
  const cancelEnrol = awButton("Cancel", { class: "aw-button aw-quiet" });
  const enrol = h(
    "form",
    { class: "aw-form aw-enrol", novalidate: true, "aria-label": "Set up an authenticator app" },
    h("p", { text: "Scan this QR code with your authenticator app (or type the key into it), then enter the 6-digit code it shows." }),
    qr,
    h("p", { class: "aw-muted" }, "Key: ", secret),
    h("details", { class: "aw-muted" }, h("summary", { text: "Setup link" }), uri),
    confirmCode.box,
    h("div", { class: "aw-row" }, confirm, cancelEnrol),
  );
  enrol.hidden = true;

  // Recovery codes (from the "codes" message only).
  const codesList = h("ol", { class: "aw-recovery-codes" });
  const copy = awButton("Copy");
  const download = awButton("Download");
  const saved = awButton("I saved them", { class: "aw-button aw-primary" });
  const codesSaid = awNotice();
  const codesBox = h(
    "div",
    { class: "aw-codes", role: "region", "aria-label": "Recovery codes" },
    h("p", { text: "Recovery codes: each signs you in once if you lose your app. Save them now; they are not shown again." }),
    codesList,
    h("div", { class: "aw-row" }, copy, download, saved),
    codesSaid,
  );
  codesBox.hidden = true;
  let codes = [];

  const newCodes = awCodeInput(`${id}-codes`, "Code from your app (if asked)", { optional: true });
  const makeCodes = h("button", { type: "submit", class: "aw-button" }, "Make new recovery codes");
  const codesForm = h("form", { class: "aw-form aw-inline-form", novalidate: true, "aria-label": "New recovery codes" }, newCodes.box, makeCodes);

  const removeCode = awCodeInput(`${id}-remove`, "Code from your app (if asked)", { optional: true });
  const removeSlot = h("span", { class: "aw-slot" });
  const removeForm = h(
    "form",
    { class: "aw-form aw-inline-form", novalidate: true, "aria-label": "Remove the authenticator app" },
    removeCode.box,
    removeSlot,
  );
  const totpOn = h("div", { class: "aw-totp-on" }, h("p", { text: "Authenticator app: set up." }), codesForm, removeForm);

  // -- Password -------------------------------------------------------------------------------
  const oldPassword = h("input", { id: `${id}-old`, name: "current-password", type: "password", autocomplete: "current-password", required: true });
  const newPassword = h("input", { id: `${id}-new`, name: "new-password", type: "password", autocomplete: "new-password", minlength: "8", required: true });
  const oldError = awFieldError(oldPassword);
  const newError = awFieldError(newPassword);
  const changePassword = h("button", { type: "submit", class: "aw-button" }, "Change password");
  const passwordForm = h(
    "form",
    { class: "aw-form", novalidate: true, "aria-label": "Change password" },
    h("input", { type: "text", name: "username", autocomplete: "username", hidden: true, readonly: true }),
    h("div", { class: "aw-field" }, h("label", { for: oldPassword.id, text: "Current password" }), oldPassword, oldError),
    h("div", { class: "aw-field" }, h("label", { for: newPassword.id, text: "New password (8 characters or more)" }), newPassword, newError),
    h("div", { class: "aw-row" }, changePassword),
  );
  const userField = passwordForm.querySelector('input[name="username"]');

  // -- Email ----------------------------------------------------------------------------------
  const emailLine = h("p", { class: "aw-email-line" });
  const verify = awButton("Send a verification link", { "data-key": "verify-email" });

  for (const form of [enrol, codesForm, removeForm, passwordForm]) awEnterSubmits(form);
  el.replaceChildren(
    mfaTitle,
    mfaState,
    h("div", { class: "aw-row" }, startTotp, mfaSlot),
    enrol,
    codesBox,
    totpOn,
    h("h3", { class: "aw-title", text: "Password" }),
    passwordForm,
    h("h3", { class: "aw-title", text: "Email" }),
    emailLine,
    h("div", { class: "aw-row" }, verify),
    notice,
  );

  // Where a failure shows: under the field it concerns (about), else in the panel's notice.
  const fieldErrors = {
    "totp-code": [confirmCode.input, confirmCode.error],
    "codes-code": [newCodes.input, newCodes.error],
    "remove-code": [removeCode.input, removeCode.error],
    "old-password": [oldPassword, oldError],
    "new-password": [newPassword, newError],
  };
  const sayAt = (about, message, tone) => {
    const here = Object.hasOwn(fieldErrors, about) && Boolean(message);
    for (const [name, [input, error]] of Object.entries(fieldErrors)) {
      const mine = here && name === about;
      error.textContent = mine ? message : "";
      error.hidden = !mine;
      input.setAttribute("aria-invalid", mine ? "true" : "false");
    }
    awSay(notice, here ? "" : message, tone);
  };

  const group = (key) => key.match(/.{1,4}/g).join(" ");
  const wipeEnrol = () => {
    enrol.hidden = true;
    qr.removeAttribute("src");
    secret.textContent = "";
    uri.textContent = "";
    confirmCode.input.value = "";
  };
  const wipeCodes = () => {
    codes = [];
    codesList.replaceChildren();
    codesBox.hidden = true;
    awSay(codesSaid, "");
  };
  const wipeAll = () => {
    wipeEnrol();
    wipeCodes();
    oldPassword.value = "";
    newPassword.value = "";
    newCodes.input.value = "";
    removeCode.input.value = "";
  };

  const render = () => {
    const signedIn = model.get("signed_in") === true;
    if (!signedIn) wipeAll();
    const busy = model.get("busy") === true;
    const mfa = model.get("mfa") === true;
    const totp = model.get("totp") === true;
    const verified = model.get("email_verified") === true;
    if (totp) wipeEnrol(); // confirmed: the key leaves the page
    const [state, tone] = mfaSays({ mfa, totp, verified, phone: model.get("phone") === true, codes: model.get("recovery_codes") === true });
    awSay(mfaState, state, tone);
    startTotp.hidden = totp || !enrol.hidden;
    startTotp.disabled = busy;
    totpOn.hidden = !totp;
    for (const button of [confirm, makeCodes, changePassword, verify]) button.disabled = busy;
    const toggle = awButton(mfa ? "Turn off" : "Turn on", { "data-key": "mfa" });
    toggle.disabled = busy;
    toggle.hidden = !mfa && !(totp || verified);
    asker.place(mfaSlot, toggle, "mfa", {
      busy,
      question: mfa ? "Turn off two-step sign-in?" : "Turn on two-step sign-in?",
      confirm: mfa ? "Turn off" : "Turn on",
      danger: mfa,
      onConfirm: () => model.send({ kind: "mfa", on: !mfa }),
    });
    const remove = awButton("Remove the app", { "data-key": "totp-remove" });
    remove.disabled = busy;
    asker.place(removeSlot, remove, "totp-remove", {
      busy,
      question: "Remove the authenticator app?",
      confirm: "Remove",
      onConfirm: () => {
        model.send({ kind: "totp-remove", code: removeCode.input.value.trim() });
        removeCode.input.value = "";
      },
    });
    makeCodes.textContent = model.get("recovery_codes") === true ? "Make new recovery codes" : "Make recovery codes";
    const email = model.get("email") || "";
    userField.value = email;
    emailLine.replaceChildren(email || "No email address", " ", h("span", { class: "aw-badge", text: verified ? "verified" : "not verified" }));
    verify.hidden = verified || !email;
    sayAt(String(model.get("about") || ""), model.get("notice"), model.get("tone"));
  };

  startTotp.addEventListener("click", () => model.send({ kind: "totp-start" }));
  cancelEnrol.addEventListener("click", () => {
    wipeEnrol();
    render();
  });
  enrol.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = confirmCode.input.value.trim();
    if (!typed) {
      sayAt("totp-code", "Enter the 6-digit code from the app.", "error");
      confirmCode.input.focus();
      return;
    }
    model.send({ kind: "totp-confirm", code: typed });
    confirmCode.input.value = "";
  });
  codesForm.addEventListener("submit", (event) => {
    event.preventDefault();
    model.send({ kind: "codes-new", code: newCodes.input.value.trim() });
    newCodes.input.value = "";
  });
  removeForm.addEventListener("submit", (event) => event.preventDefault());
  passwordForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!oldPassword.value || !newPassword.value) {
      const missing = oldPassword.value ? "new-password" : "old-password";
      sayAt(missing, oldPassword.value ? "Enter a new password." : "Enter your current password.", "error");
      (oldPassword.value ? newPassword : oldPassword).focus();
      return;
    }
    model.send({ kind: "password", old: oldPassword.value, new: newPassword.value });
    oldPassword.value = ""; // sent once; never kept in the page
    newPassword.value = "";
  });
  verify.addEventListener("click", () => {
    const page = new URL(window.location.href);
    page.search = "";
    page.hash = "";
    model.send({ kind: "verify-email", url: page.toString() });
  });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      awSay(codesSaid, "Copied.", "success");
    } catch {
      awSay(codesSaid, "Copying is not allowed here: select the codes and copy them.", "warning");
    }
  });
  download.addEventListener("click", () => {
    const blob = new Blob([`Recovery codes (each works once)\n\n${codes.join("\n")}\n`], { type: "text/plain" });
    const link = h("a", { href: URL.createObjectURL(blob), download: "recovery-codes.txt" });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  saved.addEventListener("click", () => {
    wipeCodes();
    startTotp.focus();
  });

  const onMessage = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.kind === "totp" && typeof msg.qr === "string" && msg.qr.startsWith("data:image/svg+xml")) {
      qr.src = msg.qr;
      secret.textContent = group(String(msg.secret));
      uri.textContent = String(msg.uri);
      enrol.hidden = false;
      render();
      confirmCode.input.focus();
    } else if (msg.kind === "codes" && Array.isArray(msg.codes)) {
      codes = msg.codes.map(String);
      codesList.replaceChildren(...codes.map((code) => h("li", { text: code })));
      codesBox.hidden = false;
      saved.focus();
    } else if (msg.kind === "wipe") {
      wipeAll();
    }
  };
  model.on("msg:custom", onMessage);
  const stopFollowing = awFollow(
    model,
    ["signed_in", "busy", "email", "email_verified", "mfa", "totp", "recovery_codes", "phone", "notice", "tone", "about"],
    render,
  );
  const stopRefusals = awRefusals(model, (message) => sayAt("", message, "error"));
  return () => {
    model.off("msg:custom", onMessage);
    stopFollowing();
    stopRefusals();
    wipeAll();
  };
}

export default { render: securityView };
