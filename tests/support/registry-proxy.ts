/**
 * An HTTP proxy in front of the test registry that logs every request and misbehaves on demand, the
 * way real networks and registries do: answer 429 with `Retry-After`, or cut a connection half way
 * through a request body (an interrupted upload) or a response body (an interrupted download). The
 * `Host` header is passed on unchanged, so the registry's `Location` headers point back at the proxy.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  status?: number;
  range?: string;
  /** Bytes of request body forwarded. */
  sent: number;
  /** The proxy cut this exchange on purpose. */
  cut?: boolean;
}

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'cut-request'; afterBytes: number }
  | { kind: 'cut-response'; afterBytes: number };

export interface FaultRule {
  method: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault. */
  times: number;
}

export interface RegistryProxy {
  host: string;
  log: ProxiedRequest[];
  rules: FaultRule[];
  close(): Promise<void>;
}

export async function startRegistryProxy(upstream: string): Promise<RegistryProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const log: ProxiedRequest[] = [];
  const rules: FaultRule[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const entry: ProxiedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      sent: 0,
      ...(req.headers.range !== undefined && { range: req.headers.range }),
    };
    log.push(entry);
    const rule = rules.find((r) => r.times > 0 && r.method === entry.method && r.path.test(entry.path));
    if (rule !== undefined) rule.times--;
    const fault = rule?.fault;
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        entry.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? '');
      });
      return;
    }
    const upstreamReq = request({
      host: upstreamHost,
      port: Number(upstreamPort),
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.on('response', (upstreamRes) => {
      entry.status = upstreamRes.statusCode;
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      let received = 0;
      upstreamRes.on('data', (chunk: Buffer) => {
        if (fault?.kind === 'cut-response' && received + chunk.length > fault.afterBytes) {
          res.write(chunk.subarray(0, Math.max(0, fault.afterBytes - received)));
          entry.cut = true;
          upstreamRes.destroy();
          res.socket?.destroy();
          return;
        }
        received += chunk.length;
        res.write(chunk);
      });
      upstreamRes.on('end', () => res.end());
    });
    req.on('data', (chunk: Buffer) => {
      if (fault?.kind === 'cut-request' && entry.sent + chunk.length > fault.afterBytes) {
        upstreamReq.write(chunk.subarray(0, Math.max(0, fault.afterBytes - entry.sent)));
        entry.sent = fault.afterBytes;
        entry.cut = true;
        // Give the registry the partial body, then drop both connections.
        setTimeout(() => {
          upstreamReq.destroy();
          req.socket.destroy();
        }, 50);
        req.pause();
        return;
      }
      entry.sent += chunk.length;
      if (!upstreamReq.write(chunk)) {
        req.pause();
        upstreamReq.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (!entry.cut) upstreamReq.end();
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    log,
    rules,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
