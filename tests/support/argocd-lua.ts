/**
 * Runs an Argo CD resource health script the way Argo CD does (argo-cd `util/lua/lua.go`), with a real
 * Lua 5.1 (Debian's `lua5.1`; Argo CD embeds gopher-lua, which implements Lua 5.1):
 *
 * - the object is a global `obj`, converted as `decodeValue` does: maps → tables with string keys,
 *   lists → sequences, numbers → Lua numbers, null → nil;
 * - only the base, table and package libraries and an `os` with `time`/`date` are there (no `string`,
 *   `math`, `io`; strings have no methods, as gopher-lua without its string library);
 * - the script is the body of a function; its returned table's `status` must be one of Argo CD's health
 *   codes (else Argo CD reports Unknown), a missing return means no health.
 *
 * Every object of a batch is evaluated in one `lua5.1` process.
 */
import { execFileSync } from 'node:child_process';
import { toolPath } from './debian-package.ts';

export interface LuaHealth {
  status: string;
  message: string;
}

const HEALTH_CODES = new Set(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);

/** An ASCII Lua string literal: quotes, backslashes, control and non-ASCII bytes as decimal escapes. */
function luaString(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** JSON → a Lua table constructor with Argo CD's conversion. */
export function luaValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a JSON number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return luaString(value);
  if (Array.isArray(value)) return `{${value.map(luaValue).join(', ')}}`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `[${luaString(k)}] = ${luaValue(v)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`not JSON: ${typeof value}`);
}

/** Lua source that evaluates `script` for each object and prints one JSON line per object. */
function program(script: string, objects: readonly unknown[]): string {
  return `
local script = ${luaString(script)}
local objects = {${objects.map(luaValue).join(',\n')}}
local function json(s)
  s = string.gsub(s, '[%c"\\\\]', function(c) return string.format('\\\\u%04x', string.byte(c)) end)
  return '"' .. s .. '"'
end
local base = {}
for _, name in ipairs({ "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print",
  "rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack",
  "xpcall", "require", "module", "_VERSION" }) do
  base[name] = _G[name]
end
local safe_os = { time = os.time, date = os.date }
local string_metatable = getmetatable("")
local results = {}
for i = 1, ${objects.length} do
  local env = { table = table, os = safe_os, obj = objects[i] }
  for name, value in pairs(base) do env[name] = value end
  env._G = env
  local fn, err = loadstring(script, "health.lua")
  local ok, hs
  if fn == nil then
    ok, hs = false, err
  else
    setfenv(fn, env)
    debug.setmetatable("", nil)
    ok, hs = pcall(fn)
    debug.setmetatable("", string_metatable)
  end
  if not ok then
    results[i] = '{"error":' .. json(tostring(hs)) .. '}'
  elseif type(hs) ~= "table" then
    results[i] = '{"none":' .. json(type(hs)) .. '}'
  else
    results[i] = '{"status":' .. json(tostring(hs.status or "")) .. ',"message":' .. json(tostring(hs.message or "")) .. '}'
  end
end
print(table.concat(results, "\\n"))
`;
}

/** Argo CD's verdict for each object: a health status and message, or throws with the Lua error. */
export function evaluateHealthLua(script: string, objects: readonly unknown[]): LuaHealth[] {
  const lua = toolPath('lua5.1');
  const out = execFileSync(lua, ['-'], { input: program(script, objects), encoding: 'utf8' });
  return out
    .trimEnd()
    .split('\n')
    .map((line, i) => {
      const result = JSON.parse(line) as { error?: string; none?: string; status?: string; message?: string };
      if (result.error !== undefined) throw new Error(`health.lua failed on object ${i}: ${result.error}`);
      if (result.none !== undefined) return { status: '', message: `returned ${result.none}` };
      const status = HEALTH_CODES.has(result.status ?? '') ? result.status! : 'Unknown';
      return { status, message: result.message ?? '' };
    });
}
