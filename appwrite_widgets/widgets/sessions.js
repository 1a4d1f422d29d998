// appwrite-widgets SessionsPanel front end (anywidget ES module; common.js and
// sessions_table.js come first). The signed-in user's devices; signing one out, or every
// other device, asks first ("Sign out" -> "Sign out?" [Sign out] [Cancel]), then the kernel
// says what happened. Kernel -> page: the traits title, devices, busy, notice, tone.
// Page -> kernel: {kind: "reload"}, {kind: "revoke", session}, {kind: "sign-out-others"}.

function sessionsView({ model, el }) {
  el.classList.add("aw-root");
  const title = h("h3", { class: "aw-title" });
  const reload = awButton("Reload", { title: "Load the list again from Appwrite", "data-key": "reload" });
  const others = awButton("Sign out other devices", { "data-key": "others" });
  const othersSlot = h("span", { class: "aw-slot" }, others);
  const toolbar = h("div", { class: "aw-toolbar" }, reload, othersSlot);
  const notice = awNotice();
  const list = h("div", { class: "aw-list" });
  el.replaceChildren(title, list, toolbar, notice);

  reload.addEventListener("click", () => model.send({ kind: "reload" }));
  others.addEventListener("click", () => {
    const count = model.get("devices").filter((row) => !row.current).length;
    awConfirm(othersSlot, {
      question: `Sign out ${count === 1 ? "the other device" : `${count} other devices`}?`,
      confirm: "Sign out",
      onConfirm: () => model.send({ kind: "sign-out-others" }),
    });
  });

  const actionFor = (row) => {
    const slot = h("span", { class: "aw-slot" });
    const button = awButton("Sign out", {
      "data-key": `revoke:${row.id}`,
      "aria-label": row.current ? "Sign out this device" : `Sign out ${awSessionName(row)}`,
    });
    button.disabled = model.get("busy") === true;
    button.addEventListener("click", () =>
      awConfirm(slot, {
        question: row.current ? "Sign out here?" : "Sign out that device?",
        confirm: "Sign out",
        onConfirm: () => model.send({ kind: "revoke", session: row.id }),
      }),
    );
    slot.append(button);
    return slot;
  };

  const render = () => {
    const rows = model.get("devices") || [];
    const busy = model.get("busy") === true;
    title.textContent = model.get("title");
    title.hidden = !model.get("title");
    el.setAttribute("aria-busy", busy ? "true" : "false");
    list.replaceChildren(
      rows.length
        ? awSessionsTable(rows, { caption: "Devices signed in to your account", actionFor })
        : h("p", { class: "aw-empty", text: busy ? "Loading…" : "No signed-in devices." }),
    );
    reload.disabled = busy;
    const hasOthers = rows.some((row) => !row.current);
    others.disabled = busy || !hasOthers;
    others.title = hasOthers ? "" : "No other device is signed in";
    othersSlot.replaceChildren(others);
    awSay(notice, model.get("notice"), model.get("tone"));
  };
  const memory = { key: null };
  const stop = awFollow(model, ["title", "devices", "busy", "notice", "tone"], () =>
    awKeepFocus(el, memory, render),
  );
  const stopRefusals = awRefusals(model, (text) => awSay(notice, text, "error"));
  const stopTick = awTick(el);
  return () => {
    stop();
    stopRefusals();
    stopTick();
  };
}

export default { render: sessionsView };
