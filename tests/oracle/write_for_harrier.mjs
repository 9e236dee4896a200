// Oracle (b): apache-arrow JS writes tables that Harrier reads and checks: a bar-like table of the
// bar schema (two batches, nullable fields, NaN, -0, nulls in float columns, int64 beyond 2^53)
// and a general table, each in the stream and the file format. The expectation comes from the
// values the script put in, not from reading the bytes back.
//   node write_for_harrier.mjs PATH/TO/arrow_oracle_tool
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArrow, workDir } from './common.mjs';

const { A, version } = await loadArrow();
const tool = process.argv[2];
const dir = workDir('harrier-oracle-write-');

let seed = 0x2545F4914F6CDD1Dn;
function next() {  // xorshift64*, deterministic
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xFFFFFFFFFFFFFFFFn; seed ^= seed >> 27n;
  return (seed * 0x2545F4914F6CDD1Dn) & 0xFFFFFFFFFFFFFFFFn;
}
const specials = ['7ff8000000000000', '8000000000000000', '7ff0000000000000', 'fff0000000000000',
                  '0000000000000001', '4064ed1eb851eb85'];

function jsType(name) {
  switch (name) {
    case 'int64': return new A.Int64();
    case 'float64': return new A.Float64();
    case 'bool': return new A.Bool();
    case 'utf8': return new A.Utf8();
    case 'timestamp[ns, tz=UTC]': return new A.TimestampNanosecond('UTC');
    default: throw new Error(`oracle: no JS type for ${name}`);
  }
}

// One column of `n` values of Harrier type `name`; returns [Data, expectation values].
function column(name, n, nullEvery) {
  const type = jsType(name);
  const want = [];
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  const isNull = (r) => nullEvery > 0 && r % nullEvery === nullEvery - 1;
  for (let r = 0; r < n; ++r) if (!isNull(r)) bitmap[r >> 3] |= 1 << (r & 7); else nulls++;
  const base = { type, length: n, nullCount: nulls, nullBitmap: nulls ? bitmap : null };
  if (name === 'int64' || name.startsWith('timestamp')) {
    const v = new BigInt64Array(n);
    for (let r = 0; r < n; ++r) {
      v[r] = BigInt.asIntN(64, next());
      want.push(isNull(r) ? null : v[r].toString());
    }
    return [A.makeData({ ...base, data: v }), want];
  }
  if (name === 'float64') {
    const bits = new BigUint64Array(n);
    for (let r = 0; r < n; ++r) {
      const x = next();
      bits[r] = x % 3n === 0n ? BigInt('0x' + specials[Number(x % 6n)]) : x & 0x7FEFFFFFFFFFFFFFn;
      want.push(isNull(r) ? null : bits[r].toString(16).padStart(16, '0'));
    }
    return [A.makeData({ ...base, data: new Float64Array(bits.buffer) }), want];
  }
  if (name === 'bool') {
    const v = new Uint8Array((n + 7) >> 3);
    for (let r = 0; r < n; ++r) {
      const b = next() % 2n === 0n;
      if (b) v[r >> 3] |= 1 << (r & 7);
      want.push(isNull(r) ? null : b);
    }
    return [A.makeData({ ...base, data: v }), want];
  }
  const words = ['', 'x', 'comma, "quoted"\nline', '€ 矢 ô', 'harrier'];
  const enc = new TextEncoder();
  const parts = [];
  const offsets = new Int32Array(n + 1);
  for (let r = 0; r < n; ++r) {
    const s = isNull(r) ? '' : words[Number(next() % 5n)];
    const b = enc.encode(s);
    parts.push(b);
    offsets[r + 1] = offsets[r] + b.length;
    want.push(isNull(r) ? null : s);
  }
  const data = new Uint8Array(offsets[n]);
  let at = 0;
  for (const p of parts) { data.set(p, at); at += p.length; }
  return [A.makeData({ ...base, valueOffsets: offsets, data }), want];
}

function build(fieldsSpec, metadata, batchRows, nullEveryFor) {
  const fields = fieldsSpec.map((f) => new A.Field(f.name, jsType(f.type), true,
                                                   new Map(Object.entries(f.metadata ?? {}))));
  const schema = new A.Schema(fields, new Map(Object.entries(metadata)));
  const expect = {
    metadata, batches: [],
    fields: fieldsSpec.map((f) => ({ name: f.name, type: f.type, nullable: true, metadata: f.metadata ?? {} })),
  };
  const batches = batchRows.map((n) => {
    const cols = fieldsSpec.map((f) => column(f.type, n, nullEveryFor(f)));
    expect.batches.push({ rows: n, columns: cols.map((c) => c[1]) });
    return new A.RecordBatch(schema, A.makeData({
      type: new A.Struct(fields), length: n, nullCount: 0, children: cols.map((c) => c[0]) }));
  });
  return [new A.Table(schema, batches), expect];
}

let failed = 0;
try {
  // The bar schema as Harrier publishes it (names and types), read from its own bar window.
  execFileSync(tool, ['write', dir]);
  const barFields = JSON.parse(readFileSync(join(dir, 'bars.expect.json'), 'utf8')).fields
      .map((f) => ({ name: f.name, type: f.type }));
  const [bars, barsExpect] = build(barFields,
      { symbol: 'QQQ', interval: '1m', schema_version: '1', writer: `apache-arrow ${version}` },
      [60, 60], (f) => (f.type === 'float64' ? 7 : 0));
  barsExpect.bars = true;
  const [mixed, mixedExpect] = build(
      [{ name: 'id', type: 'int64', metadata: { unit: 'count' } }, { name: 'px', type: 'float64' },
       { name: 'ok', type: 'bool' }, { name: 'ts', type: 'timestamp[ns, tz=UTC]' },
       { name: 'note', type: 'utf8', metadata: { lang: 'mixed' } }],
      { producer: 'apache-arrow js', empty: '' }, [40, 0, 9], () => 4);
  for (const [name, table, expect] of [['js_bars', bars, barsExpect], ['js_mixed', mixed, mixedExpect]]) {
    writeFileSync(join(dir, `${name}.expect.json`), JSON.stringify(expect));
    for (const format of ['stream', 'file']) {
      const path = join(dir, `${name}.${format}.arrow`);
      writeFileSync(path, A.tableToIPC(table, format));
      try {
        const out = execFileSync(tool, ['check', path, join(dir, `${name}.expect.json`)]);
        process.stdout.write(`ok ${name} (${format} format, apache-arrow ${version}): ${out}`);
      } catch (e) {
        failed++;
        console.error(`FAIL ${name} (${format} format): Harrier disagrees with apache-arrow ${version}\n` +
                      `${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
