// appwrite-widgets: the sessions table shared by SessionsPanel and UsersPanel (put after
// common.js). A table on wide outputs, one card per session under ~600 px (sessions.css).
// Each row: {id, client, os, device, kind, ip, country, created, expires, current}; every
// string in it is what a device reported, so it goes in as text.

function awSessionName(row) {
  const client = row.client || "Unknown browser";
  return row.os ? `${client} on ${row.os}` : client;
}

function awSessionsTable(rows, { caption, actionFor, thisDevice = "This device" }) {
  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      h("th", { scope: "col", text: "Device" }),
      h("th", { scope: "col", text: "Location" }),
      h("th", { scope: "col", text: "Signed in" }),
      h("th", { scope: "col" }, h("span", { class: "aw-visually-hidden", text: "Action" })),
    ),
  );
  const body = h("tbody");
  for (const row of rows) {
    const name = h("span", { class: "aw-device-name", text: awSessionName(row) });
    const title = h("div", { class: "aw-device-title" }, name);
    if (row.current) title.append(" ", h("span", { class: "aw-badge", text: thisDevice }));
    const device = h(
      "div",
      { class: "aw-device" },
      awIcon(row.kind),
      h("div", {}, title, row.device ? h("div", { class: "aw-muted", text: row.device }) : null),
    );
    const where = h(
      "td",
      { "data-label": "Location" },
      h("span", { text: row.country || "Unknown location" }),
      row.ip ? h("span", { class: "aw-muted aw-ip", text: row.ip }) : null,
    );
    const when = h("td", { "data-label": "Signed in" }, awTime(row.created));
    // Appwrite sessions last a year by default: say when one ends only when that is soon.
    if (row.expires && Date.parse(row.expires) - Date.now() < 30 * 86400_000) {
      when.append(h("span", { class: "aw-muted aw-expires" }, awTime(row.expires, "ends ")));
    }
    const action = h("td", { class: "aw-row-action" });
    const control = actionFor(row);
    if (control) action.append(control);
    body.append(
      h(
        "tr",
        { class: row.current ? "aw-session-row aw-current" : "aw-session-row", "data-session": row.id },
        h("td", { class: "aw-device-cell" }, device),
        where,
        when,
        action,
      ),
    );
  }
  const table = h("table", { class: "aw-sessions" }, h("caption", { class: "aw-visually-hidden", text: caption }), head, body);
  return h("div", { class: "aw-table-wrap" }, table);
}
