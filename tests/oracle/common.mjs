// Shared helpers of the apache-arrow JS oracle. The library is loaded from this folder's
// node_modules (installed by `npm ci`, see `make oracle-deps`); when it is missing the test fails
// with a message saying so, it is never skipped.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function loadArrow() {
  const entry = join(here, 'node_modules', 'apache-arrow', 'Arrow.node.mjs');
  if (!existsSync(entry)) {
    console.error(`oracle: ${join(here, 'node_modules')} is missing apache-arrow: ` +
                  'run `make oracle-deps` (npm ci in tests/oracle) first');
    process.exit(1);
  }
  const A = await import(pathToFileURL(entry).href);
  const version = JSON.parse(await (await import('node:fs/promises'))
      .readFile(join(here, 'node_modules', 'apache-arrow', 'package.json'), 'utf8')).version;
  if (!version.startsWith('21.')) {
    console.error(`oracle: apache-arrow ${version} installed, the lockfile pins 21.x`);
    process.exit(1);
  }
  return { A, version };
}

export function workDir(prefix) { return mkdtempSync(join(tmpdir(), prefix)); }

export function bitsHex(f64array, i) {
  const u = new BigUint64Array(f64array.buffer, f64array.byteOffset, f64array.length);
  return u[i].toString(16).padStart(16, '0');
}

// Harrier's DataType::to_string() for the types the oracle uses.
export function typeName(A, t) {
  const unit = ['s', 'ms', 'us', 'ns'];
  switch (t.typeId) {
    case A.Type.Int: return `${t.isSigned ? '' : 'u'}int${t.bitWidth}`;
    case A.Type.Float: return ['float16', 'float32', 'float64'][t.precision];
    case A.Type.Bool: return 'bool';
    case A.Type.Utf8: return 'utf8';
    case A.Type.Timestamp:
      return t.timezone ? `timestamp[${unit[t.unit]}, tz=${t.timezone}]` : `timestamp[${unit[t.unit]}]`;
    default: return `unexpected ${String(t)}`;
  }
}

// The expectation JSON layout of arrow_oracle_tool.cc, computed from a table read by arrow JS.
export function describe(A, table) {
  const obj = (m) => Object.fromEntries([...(m ?? new Map())].sort());
  const fields = table.schema.fields.map((f) => ({
    name: f.name, type: typeName(A, f.type), nullable: f.nullable, metadata: obj(f.metadata),
  }));
  const batches = table.batches.map((b) => ({
    rows: b.numRows,
    columns: table.schema.fields.map((f, c) => {
      const v = b.getChildAt(c);
      const d = v.data[0];
      const out = [];
      for (let r = 0; r < b.numRows; ++r) {
        if (!v.isValid(r)) { out.push(null); continue; }
        switch (f.type.typeId) {
          case A.Type.Float: out.push(bitsHex(d.values, d.offset + r)); break;
          case A.Type.Int: case A.Type.Timestamp: out.push(d.values[d.offset + r].toString()); break;
          default: out.push(v.get(r));
        }
      }
      return out;
    }),
  }));
  return { metadata: obj(table.schema.metadata), fields, batches };
}

// Deep comparison that reports the first differences with their path.
export function compare(got, want, path, errors) {
  if (errors.length > 20) return;
  if (Array.isArray(want) || (want && typeof want === 'object')) {
    if (typeof got !== 'object' || got === null || Array.isArray(got) !== Array.isArray(want)) {
      errors.push(`${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      return;
    }
    const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
    for (const k of keys) compare(got[k], want[k], `${path}.${k}`, errors);
    return;
  }
  if (got !== want) errors.push(`${path}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
