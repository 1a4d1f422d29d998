// appwrite-widgets UsersPanel front end (anywidget ES module; common.js and sessions_table.js
// come first). For admins: search as you type (one message per pause in typing), the users,
// and the chosen user's sessions; signing out asks first, then the kernel says what happened.
// Kernel -> page: the traits title, user_rows, query, loaded, selected, session_rows, busy,
// notice, tone. Page -> kernel: {kind: "search", text}, {kind: "reload"}, {kind: "select", user},
// {kind: "revoke", session}, {kind: "revoke-all"}.

const AW_PAUSE_MS = 300;

function usersView({ model, el }) {
  el.classList.add("aw-root");
  const id = awId("users");
  const title = h("h3", { class: "aw-title" });
  const search = h("input", {
    id: `${id}-search`,
    type: "search",
    class: "aw-search-input",
    placeholder: "Name or email",
    autocomplete: "off",
    spellcheck: "false",
  });
  const reload = awButton("Reload", { title: "Load the users again from Appwrite", "data-key": "reload" });
  const searchBox = h(
    "form",
    { class: "aw-search", role: "search", "data-lm-suppress-shortcuts": "true" },
    h("label", { for: search.id, text: "Search users" }),
    h("div", { class: "aw-search-row" }, search, reload),
  );
  const users = h("div", { class: "aw-user-list-wrap" });
  const detail = h("section", { class: "aw-detail", "aria-live": "polite" });
  const notice = awNotice();
  el.replaceChildren(title, searchBox, users, notice, detail);

  let timer = null;
  const send = () => {
    clearTimeout(timer);
    timer = null;
    model.send({ kind: "search", text: search.value.trim() });
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(send, AW_PAUSE_MS);
  });
  searchBox.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  reload.addEventListener("click", send);

  const userRow = (user, chosen) => {
    const show = awButton("Sessions", {
      "data-key": `select:${user.id}`,
      "aria-pressed": chosen ? "true" : "false",
      "aria-label": `Sessions of ${user.email || user.name || user.id}`,
    });
    show.disabled = model.get("busy") === true;
    show.addEventListener("click", () => model.send({ kind: "select", user: user.id }));
    const who = h(
      "div",
      { class: "aw-user-who" },
      h("span", { class: "aw-user-name", text: user.name || "(no name)" }),
      user.you ? h("span", { class: "aw-badge", text: "You" }) : null,
      user.admin ? h("span", { class: "aw-badge", text: "Admin" }) : null,
      h("span", { class: "aw-muted aw-user-email", text: user.email || "no email" }),
    );
    return h("li", { class: chosen ? "aw-user-row aw-chosen" : "aw-user-row", "data-user": user.id }, who, show);
  };

  const renderUsers = () => {
    const list = model.get("user_rows") || [];
    const chosen = (model.get("selected") || {}).id;
    const query = model.get("query");
    if (!model.get("loaded")) {
      users.replaceChildren(h("p", { class: "aw-empty", text: "Loading users…" }));
    } else if (!list.length) {
      const empty = query ? `No user matches “${query}”.` : "No users in this project yet.";
      users.replaceChildren(h("p", { class: "aw-empty", text: empty }));
    } else {
      users.replaceChildren(
        h("ul", { class: "aw-user-list", "aria-label": "Users" }, ...list.map((u) => userRow(u, u.id === chosen))),
      );
    }
  };

  const renderDetail = () => {
    const user = model.get("selected") || {};
    if (!user.id) {
      detail.replaceChildren();
      return;
    }
    const rows = model.get("session_rows") || [];
    const busy = model.get("busy") === true;
    const name = user.email || user.name || user.id;
    const heading = h("h4", { class: "aw-subtitle", text: `Sessions of ${name}` });
    const actionFor = (row) => {
      if (row.current) return null; // your own session here: the nav bar's "Sign out"
      const slot = h("span", { class: "aw-slot" });
      const button = awButton("Sign out", {
        "data-key": `revoke:${row.id}`,
        "aria-label": `Sign out ${awSessionName(row)}`,
      });
      button.disabled = busy;
      button.addEventListener("click", () =>
        awConfirm(slot, {
          question: "Sign out that device?",
          confirm: "Sign out",
          onConfirm: () => model.send({ kind: "revoke", session: row.id }),
        }),
      );
      slot.append(button);
      return slot;
    };
    const all = awButton("Sign out all devices", { class: "aw-button aw-danger", "data-key": "revoke-all" });
    const allSlot = h("span", { class: "aw-slot" }, all);
    all.disabled = busy || rows.length === 0;
    all.title = rows.length ? "" : "No session to sign out";
    all.addEventListener("click", () =>
      awConfirm(allSlot, {
        question: user.you
          ? `Sign out all ${rows.length} of your sessions, this one too?`
          : `Sign out ${name} on all ${rows.length === 1 ? "1 device" : `${rows.length} devices`}?`,
        confirm: "Sign out all",
        onConfirm: () => model.send({ kind: "revoke-all" }),
      }),
    );
    detail.replaceChildren(
      heading,
      rows.length
        ? awSessionsTable(rows, { caption: `Sessions of ${name}`, actionFor, thisDevice: "You, here" })
        : h("p", { class: "aw-empty", text: `${name} is not signed in anywhere.` }),
      h("div", { class: "aw-toolbar" }, allSlot),
    );
  };

  const render = () => {
    title.textContent = model.get("title");
    title.hidden = !model.get("title");
    el.setAttribute("aria-busy", model.get("busy") === true ? "true" : "false");
    reload.disabled = model.get("busy") === true;
    renderUsers();
    renderDetail();
    awSay(notice, model.get("notice"), model.get("tone"));
  };
  const memory = { key: null };
  const stop = awFollow(
    model,
    ["title", "user_rows", "query", "loaded", "selected", "session_rows", "busy", "notice", "tone"],
    () => awKeepFocus(el, memory, render),
  );
  const stopRefusals = awRefusals(model, (text) => awSay(notice, text, "error"));
  const stopTick = awTick(el);
  return () => {
    clearTimeout(timer);
    stop();
    stopRefusals();
    stopTick();
  };
}

export default { render: usersView };
