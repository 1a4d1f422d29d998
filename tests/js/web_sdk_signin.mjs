// Web SDK 28 sign-in methods against the embedded server: node web_sdk_signin.mjs ENDPOINT PROJECT PAGE
// Mail is read by the Python test from a local SMTP catcher: this script writes a JSON line
// {"need": kind, "to": email} and reads back one JSON line {"code", "url"}. Redirects of the
// OAuth2 URL are followed by hand (fetch with redirect: 'manual'). The last line printed is
// one JSON object with the observations; the Python test asserts on it.
import readline from 'node:readline';

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
console.warn = () => {};

const { Client, Account, ID, AppwriteException } = await import('appwrite');
const [endpoint, project, page] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const out = {};

async function mail(need, to) {
  process.stdout.write(JSON.stringify({ need, to }) + '\n');
  const { value } = await lines.next();
  return JSON.parse(value);
}

function params(url) {
  return Object.fromEntries(new URL(url).searchParams.entries());
}

const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
try {
  const client = new Client().setEndpoint(endpoint).setProject(project);
  const account = new Account(client);

  const anon = await account.createAnonymousSession();
  out.anonProvider = anon.provider;
  await account.deleteSession({ sessionId: 'current' });

  const otpEmail = `web-otp-${stamp}@example.com`;
  const token = await account.createEmailToken({ userId: ID.unique(), email: otpEmail });
  out.tokenSecret = token.secret;
  const { code } = await mail('email-otp', otpEmail);
  const otpSession = await account.createSession({ userId: token.userId, secret: code });
  out.otpProvider = otpSession.provider;
  out.otpEmail = (await account.get()).email === otpEmail;
  await account.deleteSession({ sessionId: 'current' });
  try {
    await account.createSession({ userId: token.userId, secret: code });
    out.otpSecondUse = 'ok';
  } catch (e) {
    out.otpSecondUse = e instanceof AppwriteException ? e.code : String(e);
  }

  const magicEmail = `web-magic-${stamp}@example.com`;
  await account.createMagicURLToken({ userId: ID.unique(), email: magicEmail, url: page });
  const link = params((await mail('magic-url', magicEmail)).url);
  const magicSession = await account.updateMagicURLSession({ userId: link.userId, secret: link.secret });
  out.magicProvider = magicSession.provider;
  await account.deleteSession({ sessionId: 'current' });

  const email = `web-pw-${stamp}@example.com`;
  const user = await account.create({ userId: ID.unique(), email, password: 'web-password-1' });
  await account.createEmailPasswordSession({ email, password: 'web-password-1' });
  const sent = await account.createVerification({ url: page });
  out.verificationUser = sent.userId === user.$id;
  const vlink = params((await mail('verification', email)).url);
  await account.updateVerification({ userId: vlink.userId, secret: vlink.secret });
  out.verified = (await account.get()).emailVerification;
  await account.deleteSession({ sessionId: 'current' });

  await account.createRecovery({ email, url: page });
  const rlink = params((await mail('recovery', email)).url);
  await account.updateRecovery({ userId: rlink.userId, secret: rlink.secret, password: 'web-password-2' });
  const again = await account.createEmailPasswordSession({ email, password: 'web-password-2' });
  out.recovered = again.userId === user.$id;
  await account.deleteSession({ sessionId: 'current' });

  const start = account.createOAuth2Token({ provider: 'mock', success: page, failure: page + '?failed=1' });
  out.oauthUrl = start;
  let location = start;
  const hops = [];
  while (location.startsWith(endpoint.replace(/\/v1$/, ''))) {
    const answer = await fetch(location, { redirect: 'manual' });
    hops.push(answer.status);
    location = answer.headers.get('location');
  }
  out.hops = hops;
  out.finalLocation = location;
  const back = params(location);
  const oauthSession = await account.createSession({ userId: back.userId, secret: back.secret });
  out.oauthProvider = oauthSession.provider;
  const identities = await account.listIdentities();
  out.identities = identities.identities.map((i) => [i.provider, i.providerEmail]);
  await account.deleteSession({ sessionId: 'current' });
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = e instanceof AppwriteException ? { code: e.code, type: e.type, message: e.message } : String(e);
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
