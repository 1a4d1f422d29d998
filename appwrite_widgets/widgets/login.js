// appwrite-widgets LoginForm front end (anywidget ES module; common.js comes first).
// One real <form> per step (only the current step is in the page): Enter submits, password
// managers see autocomplete="username", "current-password" / "new-password", the code field
// says autocomplete="one-time-code". A password or a code leaves the page once, in a custom
// message, and its input is emptied at once; none is ever synced state.
// Every step, the second step of a sign-in (MFA) included, is built from one table (STEPS)
// and rendered, focused and announced the same way: the first empty field gets the focus, an
// error stands under its field (aria-describedby) or under the form (role="alert"), what
// happened is said in a live line (role="status").
// Kernel -> page: the traits busy, error, error_field, notice, remember, methods (the methods
// offered, in order), view (the step), mailed_to, mfa_factors (at the second step: the
// factors this page can use), mfa_mailed; the message {kind: "focus"}.
// Page -> kernel: {kind: "sign-in" | "oauth" | "send-code" | "code" | "magic-link" |
// "sign-up" | "forgot" | "reset" | "verify" | "guest" | "show" | "dismiss", ...}; at the
// second step {kind: "mfa-code", code, factor} (the code once; the input is emptied),
// {kind: "mfa-email"} (mail a code), {kind: "mfa-cancel"} (sign the half-made session out).

const AW_BUSY = {
  "sign-in": "Signing in…",
  code: "Signing in…",
  mfa: "Verifying…",
  "sign-up": "Creating the account…",
  forgot: "Sending…",
  reset: "Saving…",
  verify: "Sending…",
};

// The second step's factors: what the code field is for, and the link that switches to it.
const AW_FACTORS = {
  totp: {
    label: "Code from your authenticator app",
    hint: "Open your authenticator app and enter the 6-digit code it shows.",
    empty: "Enter the 6-digit code.",
    choose: "Use your authenticator app",
  },
  email: {
    label: "Code from the email",
    hint: "Enter the 6-digit code we emailed you.",
    empty: "Enter the 6-digit code.",
    choose: "Email me a code",
  },
  recoveryCode: {
    label: "Recovery code",
    hint: "Enter one of the recovery codes you saved. Each works once.",
    empty: "Enter one of your recovery codes.",
    choose: "Use a recovery code",
  },
};

function loginView({ model, el }) {
  el.classList.add("aw-root");
  const root = h("div", { class: "aw-login" });
  el.replaceChildren(root);

  let email = ""; // what was typed in an email field: carried from step to step
  let remembered = model.get("remember") === true;
  let popup = null; // a popup opened on a "Continue with ..." click (JupyterLab)
  let waiting = false; // a request this view sent is on its way
  let step = null; // the step on screen: {view, key, node, fields, submit, idle, error, notice}
  let factor = null; // at the second step: the factor the code field is for

  const send = (content) => {
    waiting = true;
    model.send(content);
  };
  const methods = () => (Array.isArray(model.get("methods")) ? model.get("methods") : []);
  const offers = (key) => methods().some((m) => m && m.key === key);
  /** The second step's factors (those the kernel offers this page), and the one chosen. */
  const secondFactors = () => {
    const offered = (Array.isArray(model.get("mfa_factors")) ? model.get("mfa_factors") : []).filter(
      (f) => Object.hasOwn(AW_FACTORS, f),
    );
    if (!offered.includes(factor)) factor = offered.find((f) => f !== "email") || offered[0] || null;
    return offered;
  };

  // -- building blocks ------------------------------------------------------------------------

  const makeField = (fields, name, label, props, hint = null) => {
    const id = awId(`login-${name}`);
    const input = h("input", { id, name, ...props });
    const error = awFieldError(input, hint);
    fields[name] = { input, error };
    return h("div", { class: "aw-field" }, h("label", { for: id, text: label }), input, error);
  };
  const emailField = (fields) => {
    const box = makeField(fields, "email", "Email", {
      name: "username",
      type: "email",
      autocomplete: "username",
      autocapitalize: "none",
      spellcheck: "false",
      inputmode: "email",
      required: true,
      placeholder: "you@example.com",
    });
    fields.email.input.value = email;
    fields.email.input.addEventListener("input", () => {
      email = fields.email.input.value.trim();
    });
    return box;
  };
  const rememberBox = () => {
    const box = h("input", { id: awId("login-remember"), name: "remember", type: "checkbox" });
    box.checked = remembered;
    box.addEventListener("change", () => {
      remembered = box.checked;
    });
    return h("div", { class: "aw-check" }, box, h("label", { for: box.id, text: "Remember me" }));
  };
  const linkButton = (label, onClick) => {
    const button = awButton(label, { class: "aw-button aw-link-button" });
    button.addEventListener("click", () => {
      if (model.get("busy") !== true) onClick();
    });
    return button;
  };
  const goTo = (view, label) => linkButton(label, () => model.send({ kind: "show", view }));
  const title = (text) => h("h3", { class: "aw-title aw-form-title", text });
  const lines = () => {
    const notice = awNotice("aw-notice aw-form-notice");
    const error = h("p", { class: "aw-form-error", role: "alert" });
    error.hidden = true;
    return { notice, error };
  };
  const form = (label, ...children) =>
    awEnterSubmits(
      h(
        "form",
        { class: "aw-form", novalidate: true, "aria-label": label, "data-lm-suppress-shortcuts": "true" },
        ...children,
      ),
    );
  const codeProps = {
    type: "text",
    autocomplete: "one-time-code",
    inputmode: "numeric",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
  };
  /** The typed email, or the form's complaint (false). */
  const needEmail = (fields) => {
    const typed = fields.email.input.value.trim();
    email = typed;
    if (!typed) {
      say(fields, "email", "Enter your email.");
      fields.email.input.focus();
      return false;
    }
    return typed;
  };
  const needValue = (fields, name, message) => {
    if (fields[name].input.value.trim()) return true;
    say(fields, name, message);
    fields[name].input.focus();
    return false;
  };

  // -- the steps ------------------------------------------------------------------------------

  const signInStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const parts = [];
    const hasPassword = offers("password");
    const primary = hasPassword ? "password" : offers("email-code") ? "email-code" : "magic-link";
    let emailPlaced = false;
    let rememberPlaced = false;
    let lastWasProvider = false;
    let submit = null;
    const placeEmail = () => {
      if (emailPlaced) return;
      emailPlaced = true;
      parts.push(emailField(fields));
    };
    for (const m of methods()) {
      if (!m || typeof m.key !== "string") continue;
      if (m.key !== "oauth" && lastWasProvider) parts.push(h("p", { class: "aw-or", text: "or" }));
      lastWasProvider = m.key === "oauth";
      if (m.key === "oauth") {
        const button = awButton(String(m.label), { class: "aw-button aw-provider" });
        button.dataset.provider = String(m.provider);
        button.addEventListener("click", () => {
          if (model.get("busy") === true) return;
          // The click is what lets a popup open: open it now, the companion sends it on.
          if (awInJupyter()) popup = window.open("about:blank", AW_OAUTH2_POPUP, "popup,width=520,height=720");
          send({ kind: "oauth", provider: String(m.provider), remember: remembered });
        });
        parts.push(button);
      } else if (m.key === "password") {
        placeEmail();
        parts.push(
          makeField(fields, "password", "Password", {
            type: "password",
            autocomplete: "current-password",
            required: true,
          }),
        );
        if (offers("recovery")) parts.push(h("div", { class: "aw-form-links" }, goTo("forgot", "Forgot password?")));
        parts.push(rememberBox());
        rememberPlaced = true;
        submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Sign in");
        parts.push(h("div", { class: "aw-form-actions" }, submit));
      } else if (m.key === "email-code" || m.key === "magic-link") {
        placeEmail();
        if (!rememberPlaced && !hasPassword) {
          parts.push(rememberBox()); // with a password, it sits after the password
          rememberPlaced = true;
        }
        const label = m.key === "email-code" ? "Email me a code" : "Email me a sign-in link";
        const isPrimary = m.key === primary && !hasPassword;
        const button = h(
          "button",
          { type: isPrimary ? "submit" : "button", class: `aw-button ${isPrimary ? "aw-primary" : ""}` },
          label,
        );
        if (isPrimary) submit = button;
        else button.addEventListener("click", () => mailStep(fields, m.key));
        parts.push(h("div", { class: "aw-form-actions" }, button));
      } else if (m.key === "sign-up") {
        parts.push(h("div", { class: "aw-form-links" }, goTo("sign-up", "Create account")));
      } else if (m.key === "recovery" && !hasPassword) {
        parts.push(h("div", { class: "aw-form-links" }, goTo("forgot", "Forgot password?")));
      } else if (m.key === "guest") {
        const button = awButton("Continue as guest", { class: "aw-button aw-guest" });
        button.addEventListener("click", () => {
          if (model.get("busy") !== true) send({ kind: "guest" });
        });
        parts.push(button);
      }
    }
    if (!rememberPlaced && offers("oauth")) parts.push(rememberBox());
    const node = form("Sign in", ...parts, notice, error);
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true) return;
      if (primary === "password" && hasPassword) {
        const typed = needEmail(fields);
        if (!typed || !needValue(fields, "password", "Enter your password.")) return;
        send({ kind: "sign-in", email: typed, password: fields.password.input.value, remember: remembered });
        fields.password.input.value = ""; // sent once; never kept in the page
      } else if (fields.email) {
        mailStep(fields, primary);
      }
    });
    return { view: "sign-in", node, fields, submit, idle: submit ? submit.textContent : "", notice, error };
  };

  const mailStep = (fields, key) => {
    if (model.get("busy") === true) return;
    const typed = needEmail(fields);
    if (!typed) return;
    if (key === "email-code") send({ kind: "send-code", email: typed });
    else send({ kind: "magic-link", email: typed });
  };

  const codeStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const sentTo = h("strong", { text: model.get("mailed_to") || email });
    const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Sign in");
    const again = linkButton("Send a new code", () => send({ kind: "send-code", email }));
    const node = form(
      "Sign in with a code",
      title("Check your email"),
      h("p", { class: "aw-form-text" }, "Enter the 6-digit code we sent to ", sentTo, "."),
      makeField(fields, "code", "Code", { ...codeProps, pattern: "[0-9]*", maxlength: "7" }),
      h("div", { class: "aw-form-actions" }, submit),
      h("div", { class: "aw-form-links" }, again, goTo("sign-in", "Use another email")),
      notice,
      error,
    );
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true || !needValue(fields, "code", "Enter the code from the email.")) return;
      send({ kind: "code", code: fields.code.input.value.trim(), remember: remembered });
      fields.code.input.value = ""; // sent once
    });
    return { view: "code", node, fields, submit, idle: "Sign in", notice, error };
  };

  const sentStep = (view, heading, text) => () => {
    const { notice, error } = lines();
    const node = form(
      heading,
      title(heading),
      h("p", { class: "aw-form-text", text }),
      h("div", { class: "aw-form-links" }, goTo("sign-in", "Back to sign in")),
      notice,
      error,
    );
    node.addEventListener("submit", (event) => event.preventDefault());
    return { view, node, fields: {}, submit: null, idle: "", notice, error };
  };

  const signUpStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Create account");
    const parts = [
      title("Create account"),
      makeField(fields, "name", "Name", { type: "text", autocomplete: "name", maxlength: "128" }),
      emailField(fields),
      makeField(fields, "password", "Password", {
        type: "password",
        autocomplete: "new-password",
        minlength: "8",
        required: true,
      }),
    ];
    if (offers("password")) parts.push(rememberBox());
    parts.push(
      h("div", { class: "aw-form-actions" }, submit),
      h("div", { class: "aw-form-links" }, goTo("sign-in", "Back")),
      notice,
      error,
    );
    const node = form("Create account", ...parts);
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true) return;
      const typed = needEmail(fields);
      if (!typed || !needValue(fields, "password", "Enter your password.")) return;
      send({
        kind: "sign-up",
        name: fields.name.input.value.trim(),
        email: typed,
        password: fields.password.input.value,
        remember: remembered,
      });
      fields.password.input.value = ""; // sent once
    });
    return { view: "sign-up", node, fields, submit, idle: "Create account", notice, error };
  };

  const forgotStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Email me a reset link");
    const node = form(
      "Reset your password",
      title("Reset your password"),
      emailField(fields),
      h("div", { class: "aw-form-actions" }, submit),
      h("div", { class: "aw-form-links" }, goTo("sign-in", "Back to sign in")),
      notice,
      error,
    );
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true) return;
      const typed = needEmail(fields);
      if (typed) send({ kind: "forgot", email: typed });
    });
    return { view: "forgot", node, fields, submit, idle: "Email me a reset link", notice, error };
  };

  const resetStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Set password");
    const node = form(
      "Choose a new password",
      title("Choose a new password"),
      makeField(fields, "password", "New password", {
        type: "password",
        autocomplete: "new-password",
        minlength: "8",
        required: true,
      }),
      h("div", { class: "aw-form-actions" }, submit),
      notice,
      error,
    );
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true || !needValue(fields, "password", "Choose a new password.")) return;
      send({ kind: "reset", password: fields.password.input.value });
      fields.password.input.value = ""; // sent once
    });
    return { view: "reset", node, fields, submit, idle: "Set password", notice, error };
  };

  const promptStep = (view, heading, text, action, kind) => () => {
    const { notice, error } = lines();
    const submit = h("button", { type: "submit", class: "aw-button aw-primary" }, action);
    const later = linkButton("Not now", () => model.send({ kind: "dismiss" }));
    const node = form(
      heading,
      title(heading),
      h("p", { class: "aw-form-text", text }),
      h("div", { class: "aw-form-actions aw-inline" }, submit, later),
      notice,
      error,
    );
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true) return;
      if (kind === "show") model.send({ kind: "show", view: "sign-up" });
      else send({ kind: "verify" });
    });
    return { view, node, fields: {}, submit, idle: action, notice, error };
  };

  // The second step of a sign-in (MFA), whichever method began it: a code of the chosen factor,
  // links to the others ("Use a recovery code", "Email me a code"...) and Cancel, which signs
  // the half-made session out. With no factor this page can use (a phone's text message
  // only), the kernel's notice says what to do instead, then "Back to sign in" (a Cancel).
  const secondStep = () => {
    const fields = {};
    const { notice, error } = lines();
    const offered = secondFactors();
    const chosen = factor;
    const links = [];
    let mailMe = null;
    for (const other of offered) {
      if (other === "email") {
        mailMe = linkButton(AW_FACTORS.email.choose, () => {
          factor = "email";
          model.send({ kind: "mfa-email" });
          render();
        });
        links.push(mailMe);
      } else if (other !== chosen) {
        links.push(
          linkButton(AW_FACTORS[other].choose, () => {
            factor = other;
            render();
          }),
        );
      }
    }
    // Cancel signs the half-made session out; with nothing to type, it is the way back.
    const back = chosen ? "Cancel" : "Back to sign in";
    links.push(linkButton(back, () => model.send({ kind: "mfa-cancel" })));
    const parts = [title("Two-step verification")];
    let submit = null;
    if (chosen) {
      const text = AW_FACTORS[chosen];
      const hint = h("p", { class: "aw-form-text", id: awId("login-mfa-hint"), text: text.hint });
      submit = h("button", { type: "submit", class: "aw-button aw-primary" }, "Verify");
      parts.push(
        hint,
        makeField(
          fields,
          "code",
          text.label,
          { ...codeProps, inputmode: chosen === "recoveryCode" ? "text" : "numeric", maxlength: "64" },
          hint,
        ),
        h("div", { class: "aw-form-actions" }, submit),
      );
    }
    if (chosen) parts.push(h("div", { class: "aw-form-links" }, ...links), notice, error);
    else parts.push(notice, h("div", { class: "aw-form-links" }, ...links), error); // why, then the way back
    const node = form("Two-step verification", ...parts);
    node.classList.add("aw-mfa-step");
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      if (model.get("busy") === true || !chosen || !needValue(fields, "code", AW_FACTORS[chosen].empty)) return;
      send({ kind: "mfa-code", code: fields.code.input.value.trim(), factor: chosen });
      fields.code.input.value = ""; // sent once; never kept in the page
    });
    const mailed = () => model.get("mfa_mailed") === true;
    return {
      view: "mfa",
      node,
      fields,
      submit,
      idle: "Verify",
      notice,
      error,
      refresh: () => {
        if (mailMe) mailMe.textContent = mailed() ? "Email me another code" : AW_FACTORS.email.choose;
      },
      said: () =>
        model.get("notice")
          ? [model.get("notice"), "warning"]
          : [mailed() && chosen === "email" ? "We emailed you a code." : "", "success"],
    };
  };

  const STEPS = {
    "sign-in": signInStep,
    mfa: secondStep,
    code: codeStep,
    "link-sent": sentStep("link-sent", "Check your email", "Open the sign-in link we emailed you, in this browser."),
    "sign-up": signUpStep,
    forgot: forgotStep,
    "reset-sent": sentStep("reset-sent", "Check your email", "Open the link we emailed you to choose a new password."),
    reset: resetStep,
    verify: promptStep(
      "verify",
      "Confirm your email address",
      "We will email you a link: open it to confirm this address is yours.",
      "Email me a link",
      "verify",
    ),
    guest: promptStep(
      "guest",
      "You are using a guest account",
      "Create an account to keep your work and sign in again later.",
      "Create account",
      "show",
    ),
  };

  // -- rendering ------------------------------------------------------------------------------

  function say(fields, where, message) {
    for (const [name, f] of Object.entries(fields)) {
      const here = name === where && Boolean(message);
      f.error.textContent = here ? message : "";
      f.error.hidden = !here;
      f.input.setAttribute("aria-invalid", here ? "true" : "false");
    }
    if (!step) return;
    const onForm = !fields[where] && Boolean(message);
    step.error.textContent = onForm ? message : "";
    step.error.hidden = !onForm;
  }

  const firstEmpty = () => {
    if (!step) return null;
    const inputs = Object.values(step.fields).map((f) => f.input);
    return inputs.find((input) => !input.value) || step.submit || step.node.querySelector("button");
  };
  const focusFirstEmpty = () => {
    requestAnimationFrame(() => {
      if (el.offsetParent === null) return; // hidden
      const target = firstEmpty();
      if (target) target.focus({ preventScroll: false });
    });
  };

  /** What a step is built from: a new key builds it anew (and gives it the focus). */
  const stepKey = (view) => {
    if (view === "sign-in") return model.get("methods");
    if (view === "mfa") return `${secondFactors().join(" ")}:${factor}`;
    return view;
  };

  const render = () => {
    const view = STEPS[model.get("view")] ? model.get("view") : "sign-in";
    if (view !== "mfa") factor = null; // each second step starts with its first factor
    const key = stepKey(view);
    if (!step || step.view !== view || step.key !== key) {
      const hadFocus = root.contains(document.activeElement);
      step = STEPS[view]();
      step.key = key;
      root.replaceChildren(step.node);
      root.dataset.step = view;
      if (hadFocus || view !== "sign-in") focusFirstEmpty();
    }
    if (step.refresh) step.refresh();
    const busy = model.get("busy") === true;
    if (step.submit) {
      step.submit.disabled = busy;
      step.submit.textContent = busy && AW_BUSY[view] ? AW_BUSY[view] : step.idle;
    }
    for (const button of step.node.querySelectorAll("button")) {
      if (button !== step.submit) button.disabled = busy;
    }
    step.node.setAttribute("aria-busy", busy ? "true" : "false");
    say(step.fields, model.get("error_field"), model.get("error"));
    const [said, tone] = step.said ? step.said() : [model.get("notice"), "info"];
    awSay(step.notice, said, tone);
    if (popup && !busy && model.get("error")) {
      try {
        if (popup.location.href === "about:blank") popup.close(); // the sign-in never started
      } catch (e) {
        // on its way to the provider: the companion follows it
      }
      popup = null;
    }
    if (waiting && !busy) {
      waiting = false;
      // Try again where it is needed; or a new step's first control, which was disabled
      // (busy) when the step came, and the focus was lost.
      const lost = !document.activeElement || document.activeElement === document.body;
      if (model.get("error") || lost) focusFirstEmpty();
    }
  };

  const onMessage = (msg) => {
    if (msg && msg.kind === "focus") focusFirstEmpty();
  };
  model.on("msg:custom", onMessage);
  const stopFollowing = awFollow(
    model,
    ["busy", "error", "error_field", "notice", "methods", "view", "mailed_to", "mfa_factors", "mfa_mailed"],
    render,
  );
  const stopRefusals = awRefusals(model, (message) => step && say(step.fields, "", message));
  // A page that opens on the form (nothing else has the focus yet) starts in its first field.
  if (!document.activeElement || document.activeElement === document.body) focusFirstEmpty();
  return () => {
    model.off("msg:custom", onMessage);
    stopFollowing();
    stopRefusals();
  };
}

export default { render: loginView };
