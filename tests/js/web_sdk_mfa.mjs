// Web SDK 28 MFA flow against the embedded server: node web_sdk_mfa.mjs ENDPOINT PROJECT
// TOTP codes come from the Python test over stdin: this script prints {"need":"totp",...}
// and reads one line (the code of the server's next 30-second window, by pyotp).
// The last line printed is one JSON object with the observations; the test asserts on it.
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

const { Client, Account, ID, AuthenticatorType, AuthenticationFactor } = await import('appwrite');

const [endpoint, project] = process.argv.slice(2);
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const out = {};
const email = `web-mfa-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
const password = 'web-sdk-password';

async function totp(secret) {
  process.stdout.write(`${JSON.stringify({ need: 'totp', secret })}\n`);
  const { value } = await lines.next();
  return value.trim();
}

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    return { code: err.code, type: err.type };
  }
}

try {
  const client = new Client().setEndpoint(endpoint).setProject(project);
  const account = new Account(client);
  await account.create({ userId: ID.unique(), email, password });
  await account.createEmailPasswordSession({ email, password });

  const enrolled = await account.createMfaAuthenticator({ type: AuthenticatorType.Totp });
  out.uriStartsWith = enrolled.uri.startsWith(`otpauth://totp/${project}%3A`);
  out.secretLength = enrolled.secret.length;
  out.wrongEnrol = await failure(
    account.updateMfaAuthenticator({ type: AuthenticatorType.Totp, otp: '000000' }),
  );
  const verified = await account.updateMfaAuthenticator({
    type: AuthenticatorType.Totp,
    otp: await totp(enrolled.secret),
  });
  out.verifiedUserId = verified.$id;
  const codes = await account.createMfaRecoveryCodes();
  out.codeCount = codes.recoveryCodes.length;
  out.mfaOn = (await account.updateMFA({ mfa: true })).mfa;
  await account.deleteSession({ sessionId: 'current' });

  // Password only: the account, rows and JWTs stay closed until a second factor.
  const pending = await account.createEmailPasswordSession({ email, password });
  out.pendingFactors = pending.factors;
  out.pendingGet = await failure(account.get());
  out.pendingJwt = await failure(account.createJWT());
  out.factors = await account.listMfaFactors();
  const first = await account.createMfaChallenge({ factor: AuthenticationFactor.Totp });
  out.wrongCode = await failure(
    account.updateMfaChallenge({ challengeId: first.$id, otp: '000000' }),
  );
  const done = await account.updateMfaChallenge({
    challengeId: first.$id,
    otp: await totp(enrolled.secret),
  });
  out.doneFactors = done.factors;
  out.doneMfaUpdatedAt = done.mfaUpdatedAt !== '';
  out.afterEmail = (await account.get()).email;
  out.jwtAfter = typeof (await account.createJWT()).jwt;
  await account.deleteSession({ sessionId: 'current' });

  // A recovery code, in the SDK's own spelling of the factor, works once.
  const uses = [];
  for (let i = 0; i < 2; i += 1) {
    await account.createEmailPasswordSession({ email, password });
    const ch = await account.createMfaChallenge({ factor: AuthenticationFactor.Recoverycode });
    uses.push(await failure(
      account.updateMfaChallenge({ challengeId: ch.$id, otp: codes.recoveryCodes[0] }),
    ));
    await account.deleteSession({ sessionId: 'current' });
  }
  out.recoveryUses = uses;
  out.ok = true;
} catch (err) {
  out.ok = false;
  out.error = `${err && err.message} (${err && err.type})`;
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
