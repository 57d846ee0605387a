/**
 * A bearer token server the way registries' auth services work (Docker's token protocol, as Docker
 * Hub, GHCR, Harbor and ACR run it): `GET /token?service=&scope=repository:<name>:pull,push` with basic
 * auth or none, and the OAuth2 form `POST /token` with `grant_type=refresh_token` (ACR's identity
 * tokens) or `grant_type=password`. It grants the intersection of what was asked and what the user may
 * do, as a JWT (RS256, its certificate in `x5c`) that docker-registry checks against the configured
 * root certificate bundle: issuer, audience (the service), expiry and the `access` claim.
 */
import { X509Certificate, createSign, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { selfSignedCertificate } from './self-signed-certificate.ts';

export interface TokenUser {
  password: string;
  /** Actions per repository name (`*` for every repository). */
  access: Record<string, ('pull' | 'push')[]>;
  /** A refresh token (what `az acr login` stores as `identitytoken`) that stands for this user. */
  refreshToken?: string;
}

export interface TokenRequestLog {
  method: string;
  user: string | undefined;
  grant: string;
  scopes: string[];
  granted: { name: string; actions: string[] }[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPem: string;
  requests: TokenRequestLog[];
  close(): Promise<void>;
}

const SERVICE = 'kaito-test-registry';
const ISSUER = 'kaito-test-issuer';

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTokenServer(users: Record<string, TokenUser>): Promise<TokenServer> {
  const certificate = await selfSignedCertificate();
  const x5c = new X509Certificate(certificate.certPem).raw.toString('base64');
  const requests: TokenRequestLog[] = [];

  const sign = (subject: string, access: { type: string; name: string; actions: string[] }[]) => {
    const now = Math.floor(Date.now() / 1000);
    const headerPart = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [x5c] }));
    const claims = {
      iss: ISSUER,
      sub: subject,
      aud: SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const payload = base64url(JSON.stringify(claims));
    const signature = createSign('RSA-SHA256').update(`${headerPart}.${payload}`).sign(certificate.keyPem);
    return `${headerPart}.${payload}.${base64url(signature)}`;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let user: string | undefined;
      let password: string | undefined;
      let grant = 'anonymous';
      let scopes = url.searchParams.getAll('scope');
      const authorization = req.headers.authorization;
      if (authorization?.startsWith('Basic ')) {
        const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
        user = decoded.slice(0, decoded.indexOf(':'));
        password = decoded.slice(decoded.indexOf(':') + 1);
        grant = 'basic';
      }
      if (req.method === 'POST') {
        const form = await readForm(req);
        grant = form.get('grant_type') ?? '';
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        if (grant === 'refresh_token') {
          user = Object.entries(users).find(
            ([, u]) => u.refreshToken !== undefined && u.refreshToken === form.get('refresh_token'),
          )?.[0];
          password = user === undefined ? undefined : users[user]?.password;
          if (user === undefined) password = '\0invalid';
        } else if (grant === 'password') {
          user = form.get('username') ?? undefined;
          password = form.get('password') ?? undefined;
        }
      }
      const account = user === undefined ? undefined : users[user];
      if ((user !== undefined || password !== undefined) && account?.password !== password) {
        requests.push({ method: req.method ?? '', user, grant, scopes, granted: [] });
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      const granted = scopes.flatMap((scope) => {
        const [type, name, actions] = scope.split(':');
        if (type !== 'repository' || name === undefined || actions === undefined) return [];
        const allowed = account?.access[name] ?? account?.access['*'] ?? [];
        const given = actions.split(',').filter((a) => (allowed as string[]).includes(a));
        return [{ type: 'repository', name, actions: given }];
      });
      requests.push({ method: req.method ?? '', user, grant, scopes, granted });
      const token = sign(user ?? '', granted);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: SERVICE,
    issuer: ISSUER,
    certPem: certificate.certPem,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(certificate.dir, { recursive: true, force: true });
    },
  };
}
