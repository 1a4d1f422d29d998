// appwrite-widgets LoginForm front end (anywidget ES module; common.js comes first).
// A real <form>: Enter submits, password managers see autocomplete="username" and
// "current-password". The password leaves the page once, in a custom message, and the input
// is emptied at once; it is never synced state. Kernel -> page: the traits busy, error,
// error_field, remember; the message {kind: "focus"} (the nav bar's "Sign in").

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
  // A page that opens on the form (nothing else has the focus yet) starts in its first field.
  if (!document.activeElement || document.activeElement === document.body) focusFirstEmpty();
  return () => {
    model.off("msg:custom", onMessage);
    stopFollowing();
    stopRefusals();
  };
}

export default { render: loginView };
