// Web SDK 28 Realtime against the embedded server: node web_sdk_realtime.mjs ENDPOINT PROJECT
// Device A signs in with the SDK (fallback cookie in a localStorage shim) and subscribes to
// 'account' through the `ws` package (Node 20 has no WebSocket); device B (plain fetch) signs in
// until A hears it, then revokes A's session. Prints one JSON object with the observations.
import { WebSocket } from 'ws';

const store = new Map();
globalThis.WebSocket = WebSocket;
globalThis.window = {
  localStorage: {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => store.set(k, String(v)),
    removeItem: (k) => store.delete(k),
  },
  setTimeout, clearTimeout, setInterval, clearInterval,
  console: { warn: () => {}, log: () => {}, error: () => {} },
};
console.warn = () => {};
console.error = () => {};

const { Client, Account, ID, AppwriteException } = await import('appwrite');

const [endpoint, project] = process.argv.slice(2);
const out = {};
const email = `rt-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
const password = 'web-sdk-password';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(50);
  }
  return false;
}

try {
  const client = new Client().setEndpoint(endpoint).setProject(project);
  const account = new Account(client);
  const user = await account.create({ userId: ID.unique(), email, password });
  const session = await account.createEmailPasswordSession({ email, password });
  out.userId = user.$id;
  out.sessionId = session.$id;

  const received = [];
  const unsubscribe = client.subscribe('account', (message) => received.push(message));
  const heard = (name) => received.some((m) => m.events.includes(name));

  // Device B: plain REST with the fallback-cookie header Appwrite sends to cookie-less callers.
  const headers = { 'Content-Type': 'application/json', 'X-Appwrite-Project': project };
  let fallback = null;
  for (let i = 0; i < 20 && fallback === null; i++) {
    const resp = await fetch(`${endpoint}/account/sessions/email`, {
      method: 'POST', headers: fallback ? { ...headers, 'X-Fallback-Cookies': fallback } : headers,
      body: JSON.stringify({ email, password }),
    });
    const other = await resp.json();
    const cookies = resp.headers.get('x-fallback-cookies');
    // A's subscription is live once it hears B's sign-in; until then, sign in again.
    if (await until(() => heard(`users.${user.$id}.sessions.${other.$id}.create`), 500)) {
      fallback = cookies;
    }
  }
  out.subscribed = fallback !== null;

  const del = await fetch(`${endpoint}/account/sessions/${session.$id}`, {
    method: 'DELETE', headers: { ...headers, 'X-Fallback-Cookies': fallback },
  });
  out.deleteStatus = del.status;
  const name = `users.${user.$id}.sessions.${session.$id}.delete`;
  out.heardDelete = await until(() => heard(name), 10000);
  const event = received.find((m) => m.events.includes(name));
  if (event) {
    out.deleteChannels = event.channels;
    out.deletePayloadId = event.payload.$id;
    out.deleteHasTimestamp = typeof event.timestamp === 'string' && event.timestamp.length > 0;
  }
  unsubscribe();
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = e instanceof AppwriteException ? { code: e.code, type: e.type, message: e.message } : String(e);
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
