// A real OpenID Provider on 127.0.0.1 for the single sign-on tests: `oidc-provider` (the certified
// Node implementation) with one confidential client for Confidant and its own login and consent
// pages (devInteractions: any password is accepted for a known login). Its port is taken before
// the app starts, so the app can be configured with the issuer; the client is registered once the
// app's address is known.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export const CLIENT_ID = "confidant-test";
export const CLIENT_SECRET = "confidant-test-secret-0123456789";

export interface TestProvider {
  issuer: string;
  /** Registers Confidant (at `appUrl`) and starts answering. */
  start: (appUrl: string) => void;
  /** Accounts: login name → claims. Unknown logins are refused at the provider's page. */
  accounts: Map<string, { email: string; email_verified: boolean }>;
  close: () => Promise<void>;
}

export async function reserveProvider(): Promise<TestProvider> {
  const server = http.createServer();
  let handler: http.RequestListener | null = null;
  server.on("request", (req, res) => (handler ? handler(req, res) : (res.statusCode = 503, res.end())));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, { email: string; email_verified: boolean }>();
  return {
    issuer,
    accounts,
    start(appUrl) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            client_secret: CLIENT_SECRET,
            redirect_uris: [`${appUrl}/auth/oidc/callback`],
            post_logout_redirect_uris: [`${appUrl}/login`],
            grant_types: ["authorization_code"],
            response_types: ["code"],
          },
        ],
        claims: { openid: ["sub"], email: ["email", "email_verified"] },
        pkce: { required: () => true },
        cookies: { keys: ["provider-cookie-key-0123456789"] },
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        async findAccount(_ctx, id) {
          const account = accounts.get(id);
          if (!account) return undefined;
          return { accountId: id, claims: async () => ({ sub: id, ...account }) };
        },
      });
      handler = provider.callback() as unknown as http.RequestListener;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
