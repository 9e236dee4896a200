// Fake TWS on 127.0.0.1 for the @stoqey/ib cross-check (no live TWS is reachable here).
// For each server version in fixtures.json it accepts one @stoqey/ib connection, answers the
// handshake, then (1) runs every encode fixture's IBApi call and records the frame the library
// sends, and (2) replays every decode fixture's server frames and records the events the
// library emits. A currentTime frame after each decode fixture marks where its events end.
//   usage: node fake_tws.js fixtures.json out.json
"use strict";
const fs = require("fs");
const net = require("net");
let IBApi, EventName;
try {
  ({ IBApi, EventName } = require("@stoqey/ib"));
} catch (e) {
  console.error("oracle_ib: @stoqey/ib is not installed; run `make oracle-deps` " +
                "(npm ci in tests/oracle_ib)");
  process.exit(2);
}

const [fixturesPath, outPath] = process.argv.slice(2);
const fixtures = JSON.parse(fs.readFileSync(fixturesPath, "utf8"));
const MARKER_BASE = 4000000000;  // above any epoch second a fixture uses

function frame(fields) {
  const body = Buffer.from(fields.map((f) => String(f) + "\0").join(""), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

// Frames received from the client, as arrays of fields (the hello is handled separately).
function makeReader(onHello, onFrame) {
  let buf = Buffer.alloc(0);
  let helloDone = false;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!helloDone) {
      if (buf.length < 8) return;
      if (buf.subarray(0, 4).toString("latin1") !== "API\0") throw new Error("bad hello prefix");
      const n = buf.readUInt32BE(4);
      if (buf.length < 8 + n) return;
      onHello(buf.subarray(8, 8 + n).toString("utf8"));
      buf = buf.subarray(8 + n);
      helloDone = true;
    }
    while (buf.length >= 4) {
      const n = buf.readUInt32BE(0);
      if (buf.length < 4 + n) return;
      const body = buf.subarray(4, 4 + n).toString("utf8");
      buf = buf.subarray(4 + n);
      const fields = body.split("\0");
      if (fields.pop() !== "") throw new Error("client frame without final NUL: " + body);
      onFrame(fields);
    }
  };
}

const jsonable = (a) => (a instanceof Error ? a.message : a);

function runVersion(sv) {
  return new Promise((resolve, reject) => {
    const result = { hello: null, startApi: null, encode: {}, decode: {} };
    const received = [];
    let waiter = null;
    const server = net.createServer((sock) => {
      const read = makeReader(
        (hello) => {
          result.hello = hello;
          sock.write(frame([sv, "20250101 12:00:00 EST"]));
        },
        (fields) => {
          if (fields[0] === "71") {
            result.startApi = fields;
            sock.write(frame(["15", "1", "DU123456"]));
            sock.write(frame(["9", "1", "1000"]));
            return;
          }
          received.push(fields);
          if (waiter) waiter();
        });
      sock.on("data", (d) => {
        try {
          read(d);
        } catch (e) {
          reject(e);
        }
      });
      server.sock = sock;
    });
    server.listen(0, "127.0.0.1", () => {
      const ib = new IBApi({ host: "127.0.0.1", port: server.address().port, maxReqPerSec: 1000 });
      let events = null;
      const markerWaiters = new Map();
      ib.on(EventName.error, (err, code, reqId) => {
        if (!events) console.error(`oracle_ib: sv ${sv}: library error ${jsonable(err)} ${code} ${reqId}`);
      });
      for (const name of Object.values(EventName)) {
        if (["all", "sent", "received", "connected", "disconnected", "server", "result"].includes(name)) continue;
        ib.on(name, (...args) => {
          if (name === "currentTime" && args[0] >= MARKER_BASE) {
            const w = markerWaiters.get(args[0]);
            if (w) w();
            return;
          }
          if (events) events.push({ event: name, args: args.map(jsonable) });
        });
      }
      let started = false;
      const go = async () => {
        if (started) return;
        started = true;
        try {
          // (1) encoding: one call, one frame.
          for (const fx of fixtures.encode) {
            if (fx.versions && !fx.versions.includes(sv)) continue;
            const before = received.length;
            const got = new Promise((res, rej) => {
              const t = setTimeout(() => rej(new Error(`sv ${sv}: no frame for ${fx.name}`)), 3000);
              waiter = () => {
                if (received.length > before) {
                  clearTimeout(t);
                  waiter = null;
                  res();
                }
              };
            });
            ib[fx.call](...fx.args);
            await got;
            result.encode[fx.name] = received[before];
          }
          // (2) decoding: scripted frames, then a marker.
          let k = 0;
          for (const fx of fixtures.decode) {
            const frames = Array.isArray(fx.frames) ? fx.frames : fx.frames[String(sv)];
            if (!frames) continue;
            const marker = MARKER_BASE + ++k;
            events = [];
            const done = new Promise((res, rej) => {
              const t = setTimeout(() => rej(new Error(`sv ${sv}: no marker after ${fx.name}`)), 3000);
              markerWaiters.set(marker, () => {
                clearTimeout(t);
                res();
              });
            });
            for (const f of frames) server.sock.write(frame(f));
            server.sock.write(frame(["49", "1", marker]));
            await done;
            result.decode[fx.name] = events;
            events = null;
          }
          ib.disconnect();
          server.sock.destroy();
          server.close();
          resolve(result);
        } catch (e) {
          reject(e);
        }
      };
      ib.on(EventName.nextValidId, () => setTimeout(go, 20));
      ib.connect(0);
    });
  });
}

(async () => {
  const out = {};
  for (const sv of fixtures.serverVersions) out[String(sv)] = await runVersion(sv);
  fs.writeFileSync(outPath, JSON.stringify(out, null, 1));
  process.exit(0);
})().catch((e) => {
  console.error("oracle_ib: " + (e.stack || e));
  process.exit(1);
});
