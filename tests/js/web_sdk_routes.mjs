// Web SDK 28 against the routes issue 22 added: node web_sdk_routes.mjs ENDPOINT PROJECT DB_ID
// (DB_ID/items: name varchar required, stock integer; users may read and create). Signs up and
// in (fallback cookie in a localStorage shim), upserts and counts a row, makes a team, sets its
// prefs and the owner's roles. Prints one JSON object with the observations.
const store = new Map();
globalThis.window = {
  localStorage: {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  },
  console: { warn: () => {}, log: () => {}, error: () => {} },
};
console.warn = () => {};

const { Client, Account, TablesDB, Teams, ID, AppwriteException } = await import('appwrite');

const [endpoint, project, databaseId] = process.argv.slice(2);
const out = {};
const email = `routes-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
const password = 'web-sdk-password';
const pick = (row) => ({ name: row.name, stock: row.stock });

try {
  const client = new Client().setEndpoint(endpoint).setProject(project);
  const account = new Account(client);
  await account.create({ userId: ID.unique(), email, password });
  await account.createEmailPasswordSession({ email, password });

  const tables = new TablesDB(client);
  const where = { databaseId, tableId: 'items', rowId: 'web' };
  out.upserted = pick(await tables.upsertRow({ ...where, data: { name: 'Web', stock: 1 } }));
  out.upsertedAgain = pick(await tables.upsertRow({ ...where, data: { name: 'Web 2' } }));
  out.incremented = (await tables.incrementRowColumn({ ...where, column: 'stock', value: 3 })).stock;
  out.decremented = (await tables.decrementRowColumn({ ...where, column: 'stock', value: 2 })).stock;

  const teams = new Teams(client);
  const team = await teams.create({ teamId: ID.unique(), name: 'Web Team' });
  out.prefs = await teams.updatePrefs({ teamId: team.$id, prefs: { theme: 'dark' } });
  out.prefsRead = await teams.getPrefs({ teamId: team.$id });
  const list = await teams.listMemberships({ teamId: team.$id });
  const membershipId = list.memberships[0].$id;
  out.membershipRoles = (await teams.getMembership({ teamId: team.$id, membershipId })).roles;
  out.updatedRoles = (await teams.updateMembership({
    teamId: team.$id, membershipId, roles: ['owner', 'lead'],
  })).roles;
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = e instanceof AppwriteException ? { code: e.code, type: e.type, message: e.message } : String(e);
}
process.stdout.write(JSON.stringify(out) + '\n');
