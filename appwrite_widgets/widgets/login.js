// appwrite-widgets LoginForm front end (anywidget ES module; common.js comes first).
// A real <form>: Enter submits, password managers see autocomplete="username" and
// "current-password". The password leaves the page once, in a custom message, and the input
// is emptied at once; it is never synced state. Kernel -> page: the traits busy, error,
// error_field, remember; the message {kind: "focus"} (the nav bar's "Sign in").
// The second step of a sign-in (MFA) is its own section below (loginSecondStep).

function loginView({ model, el }) {
  el.classList.add("aw-root");
  const id = awId("login");
  const field = (name, label, input) => {
    const error = h("p", { class: "aw-field-error", id: `${id}-${name}-error` });
    error.hidden = true;
    input.setAttribute("aria-describedby", error.id);
    const box = h("div", { class: "aw-field" }, h("label", { for: input.id, text: label }), input, error);
    return { box, input, error };
  };
  const email = field(
    "email",
    "Email",
    h("input", {
      id: `${id}-email`,
      name: "username",
      type: "email",
      autocomplete: "username",
      autocapitalize: "none",
      spellcheck: "false",
      inputmode: "email",
      required: true,
      placeholder: "you@example.com",
    }),
  );
  const password = field(
    "password",
    "Password",
    h("input", {
      id: `${id}-password`,
      name: "password",
      type: "password",
      autocomplete: "current-password",
      required: true,
    }),
  );
  const remember = h("input", { id: `${id}-remember`, name: "remember", type: "checkbox" });
  remember.checked = model.get("remember") === true;
  const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Sign in");
  const formError = h("p", { class: "aw-form-error", id: `${id}-error`, role: "alert" });
  formError.hidden = true;
  const form = h(
    "form",
    { class: "aw-form", novalidate: true, "aria-label": "Sign in", "data-lm-suppress-shortcuts": "true" },
    email.box,
    password.box,
    h("div", { class: "aw-check" }, remember, h("label", { for: remember.id, text: "Remember me" })),
    h("div", { class: "aw-form-actions" }, submit),
    formError,
  );
  el.replaceChildren(form);

  const fields = { email, password };
  const show = (where, message) => {
    for (const [name, f] of Object.entries(fields)) {
      const here = name === where && Boolean(message);
      f.error.textContent = here ? message : "";
      f.error.hidden = !here;
      f.input.setAttribute("aria-invalid", here ? "true" : "false");
    }
    const onForm = !fields[where] && Boolean(message);
    formError.textContent = onForm ? message : "";
    formError.hidden = !onForm;
  };
  const firstEmpty = () => [email.input, password.input].find((input) => !input.value);
  const focusFirstEmpty = () => {
    requestAnimationFrame(() => {
      if (el.offsetParent === null) return; // hidden
      (firstEmpty() || submit).focus({ preventScroll: false });
    });
  };

  let waiting = false; // a sign-in this view sent is on its way
  const render = () => {
    const busy = model.get("busy") === true;
    submit.disabled = busy;
    submit.textContent = busy ? "Signing in…" : "Sign in";
    form.setAttribute("aria-busy", busy ? "true" : "false");
    show(model.get("error_field"), model.get("error"));
    if (waiting && !busy) {
      waiting = false;
      if (model.get("error")) focusFirstEmpty(); // try again where it is needed
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (model.get("busy") === true) return;
    const typed = email.input.value.trim();
    if (!typed) {
      show("email", "Enter your email.");
      email.input.focus();
      return;
    }
    if (!password.input.value) {
      show("password", "Enter your password.");
      password.input.focus();
      return;
    }
    waiting = true;
    model.send({ kind: "sign-in", email: typed, password: password.input.value, remember: remember.checked });
    password.input.value = ""; // sent once; never kept in the page
  });

  const onMessage = (msg) => {
    if (msg && msg.kind === "focus") focusFirstEmpty();
  };
  model.on("msg:custom", onMessage);
  const stopFollowing = awFollow(model, ["busy", "error", "error_field"], render);
  const stopRefusals = awRefusals(model, (message) => show("", message));
  const stopSecondStep = loginSecondStep(model, el);
  // A page that opens on the form (nothing else has the focus yet) starts in its first field.
  if (!document.activeElement || document.activeElement === document.body) focusFirstEmpty();
  return () => {
    model.off("msg:custom", onMessage);
    stopFollowing();
    stopRefusals();
    stopSecondStep();
  };
}

// -- The second step of a sign-in (MFA) ---------------------------------------------------
// In the page only while the trait mfa_factors is not empty (the factors this sign-in can use:
// "totp", "email", "recoveryCode"); the rest of the form is hidden meanwhile (el's
// data-aw-step), and the step leaves the page when it ends.
// Page -> kernel: {kind: "mfa-code", code, factor} (the code once; the input is emptied),
// {kind: "mfa-email"} (mail a code), {kind: "mfa-cancel"} (sign the half-made session out).
// Kernel -> page: mfa_factors, mfa_mailed, and busy / error as for the first step.

const AW_FACTOR_TEXT = {
  totp: {
    label: "Code from your authenticator app",
    hint: "Open your authenticator app and enter the 6-digit code it shows.",
  },
  email: { label: "Code from the email", hint: "Enter the 6-digit code we emailed you." },
  recoveryCode: {
    label: "Recovery code",
    hint: "Enter one of the recovery codes you saved. Each works once.",
  },
};

function loginSecondStep(model, el) {
  const id = awId("mfa");
  const title = h("h3", { class: "aw-title", text: "Two-step verification" });
  const hint = h("p", { class: "aw-mfa-hint aw-muted", id: `${id}-hint` });
  const label = h("label", { for: `${id}-code` });
  const code = h("input", {
    id: `${id}-code`,
    name: "one-time-code",
    type: "text",
    autocomplete: "one-time-code",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
    maxlength: "64",
    "aria-describedby": `${id}-hint ${id}-error`,
  });
  const error = h("p", { class: "aw-form-error", id: `${id}-error`, role: "alert" });
  error.hidden = true;
  const notice = awNotice();
  const verify = h("button", { type: "submit", class: "aw-button aw-primary" }, "Verify");
  const useApp = awButton("Use your authenticator app", { class: "aw-button aw-quiet", "data-factor": "totp" });
  const useCode = awButton("Use a recovery code", { class: "aw-button aw-quiet", "data-factor": "recoveryCode" });
  const mailMe = awButton("Email me a code", { class: "aw-button aw-quiet", "data-factor": "email" });
  const cancel = awButton("Cancel", { class: "aw-button aw-quiet" });
  const box = h(
    "form",
    { class: "aw-form aw-mfa-step", novalidate: true, "aria-label": "Two-step verification", "data-lm-suppress-shortcuts": "true" },
    title,
    hint,
    h("div", { class: "aw-field" }, label, code),
    error,
    h("div", { class: "aw-form-actions" }, verify),
    h("div", { class: "aw-mfa-choices" }, useApp, useCode, mailMe, cancel),
    notice,
  );

  let factor = null; // the factor the code field is for
  let shown = false;
  const choose = (next, focus = true) => {
    factor = next;
    const text = AW_FACTOR_TEXT[next] || AW_FACTOR_TEXT.totp;
    label.textContent = text.label;
    hint.textContent = text.hint;
    code.setAttribute("inputmode", next === "recoveryCode" ? "text" : "numeric");
    code.value = "";
    if (focus) code.focus();
  };
  const render = () => {
    const factors = model.get("mfa_factors") || [];
    const active = factors.length > 0;
    if (!active) {
      box.remove();
      delete el.dataset.awStep;
      shown = false;
      code.value = "";
      awSay(notice, "");
      return;
    }
    if (!el.contains(box)) el.append(box); // also when the first step redrew el
    el.dataset.awStep = "mfa";
    if (!shown || !factors.includes(factor)) {
      choose(factors.find((f) => f !== "email") || factors[0], false);
      if (!shown) requestAnimationFrame(() => code.focus());
      shown = true;
    }
    const busy = model.get("busy") === true;
    verify.disabled = busy;
    verify.textContent = busy ? "Verifying…" : "Verify";
    box.setAttribute("aria-busy", busy ? "true" : "false");
    useApp.hidden = factor === "totp" || !factors.includes("totp");
    useCode.hidden = factor === "recoveryCode" || !factors.includes("recoveryCode");
    mailMe.hidden = !factors.includes("email");
    mailMe.textContent = model.get("mfa_mailed") === true ? "Email me another code" : "Email me a code";
    const message = model.get("error") || "";
    error.textContent = message;
    error.hidden = !message;
    code.setAttribute("aria-invalid", message ? "true" : "false");
    awSay(notice, model.get("mfa_mailed") === true && factor === "email" ? "We emailed you a code." : "", "success");
  };

  box.addEventListener("submit", (event) => {
    event.preventDefault();
    if (model.get("busy") === true) return;
    const typed = code.value.trim();
    if (!typed) {
      error.textContent = factor === "recoveryCode" ? "Enter one of your recovery codes." : "Enter the 6-digit code.";
      error.hidden = false;
      code.focus();
      return;
    }
    model.send({ kind: "mfa-code", code: typed, factor });
    code.value = ""; // sent once; never kept in the page
  });
  useApp.addEventListener("click", () => choose("totp"));
  useCode.addEventListener("click", () => choose("recoveryCode"));
  mailMe.addEventListener("click", () => {
    choose("email");
    model.send({ kind: "mfa-email" });
  });
  cancel.addEventListener("click", () => model.send({ kind: "mfa-cancel" }));
  const stop = awFollow(model, ["mfa_factors", "mfa_mailed", "busy", "error"], render);
  return () => {
    stop();
    box.remove();
    delete el.dataset.awStep;
  };
}

export default { render: loginView };
