/** `[HOST]:PORT` flags (`sync --listen`, `agent --metrics-addr`), read the same way by every command. */
import { UsageError } from '../errors.ts';

/** `:8080` (all interfaces), `127.0.0.1:8080`, `[::1]:8080` → the host and port `server.listen` takes. */
export function parseListenAddress(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${flag} must be [HOST]:PORT such as :8080 or 127.0.0.1:8080, not "${text}"`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
