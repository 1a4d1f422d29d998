// appwrite-widgets demo inbox (anywidget ES module, demo only): the mail the embedded server
// sent to the addresses this page asked a code or link for. Codes and links arrive in a custom
// message ({kind: "mail", mails: [...]}) and go into the page as text and as a checked link;
// nothing here is synced state. Page -> kernel: {kind: "refresh"}.

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

const KINDS = {
  "email-otp": "Sign-in code",
  "magic-url": "Sign-in link",
  recovery: "Password reset",
  verification: "Email verification",
  invitation: "Team invitation",
};

function inboxView({ model, el: root }) {
  root.classList.add("aw-inbox-root");
  const list = el("ul", { class: "aw-inbox-list", "aria-live": "polite" });
  const empty = el("p", {
    class: "aw-inbox-empty",
    text: "No mail yet. Ask for a code or a link in the form: it shows up here.",
  });
  const refresh = el("button", { type: "button", class: "aw-inbox-refresh", text: "Refresh" });
  refresh.addEventListener("click", () => model.send({ kind: "refresh" }));
  root.replaceChildren(
    el(
      "section",
      { class: "aw-inbox", "aria-label": "Inbox (demo)" },
      el("h3", { class: "aw-inbox-title", text: "Inbox (demo)" }),
      el("p", {
        class: "aw-inbox-note",
        text: "The demo's mail catcher: no mail leaves this machine. Only mail this page asked for.",
      }),
      refresh,
      empty,
      list,
    ),
  );

  const show = (mails) => {
    list.replaceChildren();
    for (const mail of mails) {
      if (!mail || typeof mail !== "object") continue;
      const item = el(
        "li",
        { class: "aw-inbox-mail" },
        el("strong", { class: "aw-inbox-subject", text: String(mail.subject || "") }),
        el("span", { class: "aw-inbox-meta", text: `${KINDS[mail.kind] || "Mail"} to ${mail.to}` }),
      );
      if (mail.kind === "email-otp" && /^[0-9]{6}$/.test(String(mail.code))) {
        item.append(
          el("span", { class: "aw-inbox-code-label", text: "Your code: " }),
          el("code", { class: "aw-inbox-code", text: String(mail.code) }),
        );
      } else if (/^https?:\/\//.test(String(mail.url))) {
        const link = el("a", { class: "aw-inbox-link", href: String(mail.url), target: "_blank", rel: "noopener" });
        link.textContent = mail.kind === "magic-url" ? "Sign in" : "Open the link";
        item.append(link);
      }
      list.append(item);
    }
    empty.hidden = list.childElementCount > 0;
  };

  const onMessage = (msg) => {
    if (msg && msg.kind === "mail" && Array.isArray(msg.mails)) show(msg.mails);
  };
  model.on("msg:custom", onMessage);
  model.send({ kind: "refresh" });
  return () => model.off("msg:custom", onMessage);
}

export default { render: inboxView };
