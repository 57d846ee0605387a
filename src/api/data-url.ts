/**
 * Tuning data URLs: Kaito's rule (v0.12 `validateDataSourceURL`) that a download URL is http(s) and does
 * not point into the cluster, the node or a cloud metadata service. Hosts are read with the WHATWG URL
 * parser, which also decodes the decimal, octal and hex IPv4 spellings (`http://2130706433/`,
 * `http://0x7f.1/`) that a plain IP check would miss; IPv6 forms that embed an IPv4 address are judged
 * by the embedded address.
 */

export const DATA_URL_MESSAGES = {
  invalid: 'invalid data source URL',
  scheme: 'data source URL must use HTTP or HTTPS',
  local: 'data source URL must not target a local or metadata endpoint',
  address: 'data source URL must not target a loopback, private, or link-local address',
} as const;

const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google',
  'metadata.google.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
]);

/** Cloud metadata endpoints outside the link-local range (Alibaba Cloud). */
const METADATA_IPV4 = new Set(['100.100.100.200']);

/** Returns Kaito's message for a URL that must not be used as tuning input, or undefined when it is fine. */
export function dataUrlError(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return DATA_URL_MESSAGES.invalid;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return DATA_URL_MESSAGES.scheme;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return DATA_URL_MESSAGES.invalid;
  if (host === 'localhost' || host.endsWith('.localhost') || METADATA_HOSTS.has(host)) {
    return DATA_URL_MESSAGES.local;
  }
  const ipv4 = parseIpv4(host);
  if (ipv4 !== undefined) return ipv4Error(ipv4);
  if (host.startsWith('[') && host.endsWith(']')) {
    const ipv6 = parseIpv6(host.slice(1, -1));
    if (ipv6 === undefined) return DATA_URL_MESSAGES.invalid;
    return ipv6Error(ipv6);
  }
  return undefined;
}

function ipv4Error(octets: number[]): string | undefined {
  const [a = 0, b = 0, c = 0] = octets;
  if (METADATA_IPV4.has(octets.join('.'))) return DATA_URL_MESSAGES.local;
  const blocked =
    a === 0 || // "this network", includes the unspecified 0.0.0.0
    a === 127 || // loopback
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || // private
    (a === 169 && b === 254) || // link-local, includes 169.254.169.254 metadata
    (a === 224 && b === 0 && c === 0) || // link-local multicast
    octets.every((o) => o === 255);
  return blocked ? DATA_URL_MESSAGES.address : undefined;
}

function ipv6Error(words: number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const embedded = [w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff];
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (zeroPrefix && w5 === 0 && w6 === 0 && (w7 === 0 || w7 === 1)) return DATA_URL_MESSAGES.address;
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms.
  if (zeroPrefix && (w5 === 0xffff || w5 === 0)) return ipv4Error(embedded);
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) {
    return ipv4Error(embedded);
  }
  if ((w0 & 0xfe00) === 0xfc00) return DATA_URL_MESSAGES.address; // unique local (private), fd00:ec2::254
  if ((w0 & 0xffc0) === 0xfe80) return DATA_URL_MESSAGES.address; // link-local unicast
  if ((w0 & 0xff0f) === 0xff02) return DATA_URL_MESSAGES.address; // link-local multicast
  return undefined;
}

/** A dotted-quad as the WHATWG parser prints it; anything else is not an IPv4 host. */
function parseIpv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => Number.isInteger(o) && o <= 255) ? octets : undefined;
}

/** Eight 16-bit words of an IPv6 address (as the WHATWG parser prints it, `::` compressed). */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const words: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        words.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return words;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}
