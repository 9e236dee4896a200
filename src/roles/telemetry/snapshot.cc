#include "roles/telemetry/snapshot.h"

#include "bus/keys.h"

namespace harrier::roles::telemetry {

Result<std::vector<GroupStats>> parse_xinfo_groups(const bus::ReplyView& r) {
  HARRIER_TRY(r.array());
  std::vector<GroupStats> out;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const bus::ReplyView g = r.at(i);
    HARRIER_TRY(g.array());
    if (g.size() % 2 != 0) return protocol_error("XINFO GROUPS: odd number of items in a group");
    GroupStats s;
    for (std::size_t j = 0; j < g.size(); j += 2) {
      HARRIER_ASSIGN_OR_RETURN(std::string_view key, g.at(j).string());
      const bus::ReplyView v = g.at(j + 1);
      if (key == "name") {
        HARRIER_ASSIGN_OR_RETURN(std::string_view name, v.string());
        s.name = std::string(name);
      } else if (key == "pending") {
        HARRIER_ASSIGN_OR_RETURN(s.pending, v.integer());
      } else if (key == "consumers") {
        HARRIER_ASSIGN_OR_RETURN(s.consumers, v.integer());
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

BusSnapshot collect_snapshot(bus::Connection& c) {
  BusSnapshot snap;
  auto ping = c.ping();
  if (!ping) {
    snap.redis_error = ping.error().to_string();
    for (std::string_view role : kRoles) snap.roles.push_back({std::string(role), std::nullopt});
    return snap;
  }
  snap.ping_us = static_cast<double>(*ping) / 1e3;
  std::vector<std::string> hb_keys;
  for (std::string_view role : kRoles) hb_keys.push_back(bus::keys::heartbeat(role));
  bus::CommandBatch batch;
  for (const std::string& k : hb_keys) batch.add({"GET", k});
  for (bus::keys::Stream s : bus::keys::kAllStreams) {
    batch.add({"XLEN", bus::keys::stream_name(s)});
    batch.add({"XINFO", "GROUPS", bus::keys::stream_name(s)});
  }
  std::vector<bus::Reply> replies;
  if (auto st = c.run(batch, replies); !st) {
    snap.redis_error = st.error().to_string();
    for (std::string_view role : kRoles) snap.roles.push_back({std::string(role), std::nullopt});
    return snap;
  }
  snap.redis_up = true;
  std::size_t i = 0;
  for (std::string_view role : kRoles) {
    RoleBeat b{std::string(role), std::nullopt};
    auto v = bus::copy_string_or_nil(replies[i++].view());
    if (v && *v) b.json = std::move(**v);
    snap.roles.push_back(std::move(b));
  }
  for (bus::keys::Stream s : bus::keys::kAllStreams) {
    StreamStats st;
    st.name = std::string(bus::keys::stream_name(s));
    st.length = replies[i++].integer().value_or(0);
    // A stream that does not exist yet answers XINFO with an error: no groups.
    auto groups = parse_xinfo_groups(replies[i++].view());
    if (groups) st.groups = std::move(*groups);
    snap.streams.push_back(std::move(st));
  }
  return snap;
}

}  // namespace harrier::roles::telemetry
