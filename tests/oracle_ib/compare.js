// Compares what @stoqey/ib sent and decoded (ref.json from fake_tws.js) with what Harrier's
// encoder and decoder produce for the same fixtures (harrier.json from tws_oracle_tool), after
// the normalisations documented in docs/tws.md §6:
//   N1 unset: undefined / null / missing / "" are the same, and so are the official sentinels
//      2147483647 (unset int) and 1.7976931348623157E308 (unset double);
//   N2 numbers compare as numbers ("500" == 500, "0.0" == 0, "1678740829" == 1678740829);
//   N3 an empty list is the same as an absent one;
//   N4 @stoqey/ib quirks, each named where it is applied (Q1..Q4 below).
// Anything else is a difference and fails the run.
//   usage: node compare.js ref.json harrier.json
"use strict";
const fs = require("fs");
const [refPath, harrierPath] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(refPath, "utf8"));
const har = JSON.parse(fs.readFileSync(harrierPath, "utf8"));

const UNSET_INT = 2147483647;
const UNSET_DBL = 1.7976931348623157e308;
function isUnset(v) {
  return v === undefined || v === null || v === "" || v === UNSET_INT || v === UNSET_DBL ||
    v === String(UNSET_INT) || (typeof v === "string" && Number(v) === UNSET_DBL) ||
    (Array.isArray(v) && v.length === 0);
}
const numeric = (v) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !isNaN(Number(v)) ? Number(v) : undefined);

// Returns a list of "path: a != b" differences.
function diff(a, b, path, out) {
  if (isUnset(a) && isUnset(b)) return out;
  // Q4: @stoqey/ib reads contract.multiplier with readDouble (empty -> 0); Harrier keeps the
  //     multiplier as the text sent ("" or "100").
  if (path.endsWith(".multiplier") && ((a === 0 && isUnset(b)) || (b === 0 && isUnset(a)))) return out;
  const na = numeric(a), nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (na !== nb) out.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) diff(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], `${path}.${k}`, out);
    return out;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  return out;
}

// Q1: @stoqey/ib never synthesizes the bid size (tick type 0) after a bid tickPrice: its
//     `if (sizeTickType)` is false for 0. Harrier's rendering does; drop it on our side.
// Q2: @stoqey/ib reads tickReqParams.minTick with readInt ("0.01" -> 0). Compare the
//     truncated value.
// Q3: @stoqey/ib emits an empty list when a sec-id or ineligibility list has no entries and
//     omits it otherwise: covered by N3.
function quirks(events) {
  const out = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const prev = events[i - 1];
    if (e.event === "tickSize" && e.args[1] === 0 && prev && prev.event === "tickPrice" && prev.args[1] === 1) continue;
    if (e.event === "tickReqParams") {
      out.push({ event: e.event, args: [e.args[0], Math.trunc(e.args[1]), e.args[2], e.args[3]] });
      continue;
    }
    out.push(e);
  }
  return out;
}

let failures = 0;
let checked = 0;
const report = (what, diffs) => {
  checked++;
  if (diffs.length) {
    failures++;
    console.log(`DIFF ${what}\n  ` + diffs.slice(0, 12).join("\n  "));
  }
};
for (const sv of Object.keys(ref)) {
  const r = ref[sv], h = har[sv];
  if (!h) { report(`sv ${sv}`, ["missing on the Harrier side"]); continue; }
  report(`sv ${sv} hello`, diff(r.hello, h.hello, "hello", []));
  report(`sv ${sv} startApi`, diff(r.startApi, h.startApi, "startApi", []));
  for (const name of Object.keys(r.encode)) {
    const a = r.encode[name], b = h.encode[name];
    const d = b ? diff(a, b, "fields", []) : ["not encoded by Harrier"];
    if (b && a.length !== b.length) d.unshift(`field count ${a.length} != ${b.length}`);
    report(`sv ${sv} encode ${name}`, d);
  }
  for (const name of Object.keys(r.decode)) {
    const a = r.decode[name], b = h.decode[name];
    if (a.length === 0) { report(`sv ${sv} decode ${name}`, ["@stoqey/ib emitted nothing"]); continue; }
    report(`sv ${sv} decode ${name}`, b ? diff(quirks(a), quirks(b), "events", []) : ["not decoded by Harrier"]);
  }
}
console.log(`oracle_ib: ${checked} comparisons over server versions ${Object.keys(ref).join(", ")}; ${failures} with differences`);
process.exit(failures === 0 ? 0 : 1);
