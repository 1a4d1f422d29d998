// Web SDK 28 flow against the embedded server: node web_sdk_flow.mjs ENDPOINT PROJECT
// Uses the browser fallback-cookie path through a localStorage shim (Node has no cookie jar).
// Prints one JSON object with the observations; the Python test asserts on it.
const store = new Map();
globalThis.window = {
  localStorage: {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
    get cookieFallback() { return store.get('cookieFallback'); },
    set cookieFallback(v) { store.set('cookieFallback', String(v)); },
  },
  console: { warn: () => {}, log: () => {}, error: () => {} },
};
const origWarn = console.warn;
console.warn = () => {};

const { Client, Account, ID, AppwriteException } = await import('appwrite');

const [endpoint, project] = process.argv.slice(2);
const out = {};
const email = `web-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
const password = 'web-sdk-password';

try {
  const client = new Client().setEndpoint(endpoint).setProject(project);
  const account = new Account(client);
  out.ping = await client.ping();
  const user = await account.create({ userId: ID.unique(), email, password, name: 'Web User' });
  out.signupEmail = user.email;
  out.signupId = user.$id;

  // A second, independent sign-in (another "device") to delete by ID later.
  const other = new Client().setEndpoint(endpoint).setProject(project);
  const otherSession = await (async () => {
    const saved = store.get('cookieFallback');
    const s = await new Account(other).createEmailPasswordSession({ email, password });
    if (saved === undefined) store.delete('cookieFallback'); else store.set('cookieFallback', saved);
    return s;
  })();
  out.otherSessionId = otherSession.$id;

  const session = await account.createEmailPasswordSession({ email, password });
  out.sessionSecret = session.secret;
  out.sessionCurrent = session.current;
  out.fallbackStored = typeof store.get('cookieFallback') === 'string'
    && store.get('cookieFallback').includes(`a_session_${project}`);

  const me = await account.get();
  out.getEmail = me.email;

  const list = await account.listSessions();
  out.listTotal = list.total;
  out.listCurrent = list.sessions.filter((s) => s.current).map((s) => s.$id);
  out.sessionId = session.$id;

  await account.deleteSession({ sessionId: otherSession.$id });
  out.afterOtherDelete = (await account.listSessions()).sessions.map((s) => s.$id);

  await account.deleteSession({ sessionId: 'current' });
  out.fallbackAfterLogout = store.get('cookieFallback');
  try {
    await account.get();
    out.getAfterLogout = 'ok';
  } catch (e) {
    out.getAfterLogout = e instanceof AppwriteException ? { code: e.code, type: e.type } : String(e);
  }
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = e instanceof AppwriteException ? { code: e.code, type: e.type, message: e.message } : String(e);
}
console.warn = origWarn;
process.stdout.write(JSON.stringify(out) + '\n');
