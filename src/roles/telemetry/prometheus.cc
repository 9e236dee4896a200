#include "roles/telemetry/prometheus.h"

#include <cmath>
#include <map>
#include <set>

#include "core/text.h"
#include "roles/common/json.h"

namespace harrier::roles::telemetry {

namespace {

std::string value_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::string s;
  text::append_double(s, v);
  return s;
}

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// A JSON number as an integer label ("?" when it is not one a pid could be).
std::string int_text(double v) {
  if (!(v >= -9e15 && v <= 9e15)) return "?";
  return std::to_string(static_cast<std::int64_t>(v));
}

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

std::string labels_text(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i != 0) out += ',';
    out += labels[i].first;
    out += "=\"";
    out += label_value(labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

// Metric families, kept together and sorted by name (the format wants one TYPE line per family
// and the family's samples in one block).
class Families {
 public:
  // Adds a sample of family `family`; the sample's own name may carry a suffix (_sum, _count).
  // A sample whose family exists with another type is dropped and reported in a comment.
  void add(const std::string& family, std::string_view type, std::string_view help,
           std::string_view suffix, const Labels& labels, double value) {
    Family& f = families_[family];
    if (f.type.empty()) {
      f.type = std::string(type);
      f.help = std::string(help);
    } else if (f.type != type) {
      comments_.push_back("# dropped " + family + std::string(suffix) + ": type " +
                          std::string(type) + " clashes with " + f.type);
      return;
    }
    f.samples.push_back(family + std::string(suffix) + labels_text(labels) + " " +
                        value_text(value));
  }
  void comment(std::string c) { comments_.push_back(std::move(c)); }

  std::string render() const {
    std::string out;
    for (const std::string& c : comments_) out += c + "\n";
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const std::string& s : f.samples) out += s + "\n";
    }
    return out;
  }

 private:
  struct Family {
    std::string type, help;
    std::vector<std::string> samples;
  };
  std::map<std::string, Family> families_;
  std::vector<std::string> comments_;
};

// Families P3 itself defines: a heartbeat metric with one of these names is left out.
const std::set<std::string, std::less<>>& reserved() {
  static const std::set<std::string, std::less<>> r = {"harrier_up",
                                                       "harrier_uptime_seconds",
                                                       "harrier_restarts",
                                                       "harrier_rss_bytes",
                                                       "harrier_role_info",
                                                       "harrier_redis_up",
                                                       "harrier_redis_ping_us",
                                                       "harrier_stream_length",
                                                       "harrier_stream_pending",
                                                       "harrier_stream_consumers"};
  return r;
}

void add_role_metrics(Families& fam, std::string_view role, const json::Value& metrics) {
  const Labels by_role = {{"role", role}};
  if (const json::Value* c = metrics.find("counters"); c && c->kind == json::Value::Kind::kObject) {
    for (const auto& [name, v] : c->object) {
      if (v.kind != json::Value::Kind::kNumber) continue;
      std::string family = "harrier_" + sanitize_metric_name(name) + "_total";
      if (reserved().count(family)) continue;
      fam.add(family, "counter", "counter " + sanitize_metric_name(name) + " from heartbeats", "",
              by_role, v.number);
    }
  }
  if (const json::Value* g = metrics.find("gauges"); g && g->kind == json::Value::Kind::kObject) {
    for (const auto& [name, v] : g->object) {
      std::string family = "harrier_" + sanitize_metric_name(name);
      if (reserved().count(family)) continue;
      const double value = v.kind == json::Value::Kind::kNumber ? v.number : kNaN;
      fam.add(family, "gauge", "gauge " + sanitize_metric_name(name) + " from heartbeats", "",
              by_role, value);
    }
  }
  if (const json::Value* h = metrics.find("histograms");
      h && h->kind == json::Value::Kind::kObject) {
    for (const auto& [name, v] : h->object) {
      const std::string family = "harrier_" + sanitize_metric_name(name);
      if (reserved().count(family) || v.kind != json::Value::Kind::kObject) continue;
      const std::string help =
          "histogram " + sanitize_metric_name(name) + " from heartbeats, microseconds";
      const double p50 = v.number_at("p50").value_or(kNaN);
      const double p99 = v.number_at("p99").value_or(kNaN);
      const double n = v.number_at("n").value_or(0);
      const double mean = v.number_at("mean").value_or(0);
      fam.add(family, "summary", help, "", {{"role", role}, {"quantile", "0.5"}}, p50);
      fam.add(family, "summary", help, "", {{"role", role}, {"quantile", "0.99"}}, p99);
      fam.add(family, "summary", help, "_sum", by_role, mean * n);
      fam.add(family, "summary", help, "_count", by_role, n);
      fam.add(family + "_max", "gauge", help + " (maximum)", "", by_role,
              v.number_at("max").value_or(kNaN));
    }
  }
}

}  // namespace

std::string sanitize_metric_name(std::string_view name) {
  std::string out;
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) out += '_';
  for (char c : name) {
    const bool good =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += good ? c : '_';
  }
  return out;
}

std::string render_prometheus(const BusSnapshot& snap) {
  Families fam;
  for (const RoleBeat& b : snap.roles) {
    const Labels by_role = {{"role", b.role}};
    double up = 0;
    if (b.json) {
      auto v = json::parse(*b.json);
      if (!v || v->kind != json::Value::Kind::kObject) {
        fam.comment("# heartbeat:" + b.role +
                    " does not parse: " + (v ? std::string("not an object") : v.error().message()));
      } else {
        const std::string state = v->string_at("state").value_or("");
        up = state == "running" ? 1 : 0;
        fam.add("harrier_uptime_seconds", "gauge", "seconds since the role started", "", by_role,
                v->number_at("uptime_s").value_or(kNaN));
        fam.add("harrier_restarts", "gauge", "how often the manager restarted the role", "",
                by_role, v->number_at("restarts").value_or(0));
        fam.add("harrier_rss_bytes", "gauge", "resident set size of the role process", "", by_role,
                v->number_at("rss_bytes").value_or(kNaN));
        const std::string pid = int_text(v->number_at("pid").value_or(0));
        const std::string cpus = v->string_at("cpus").value_or("");
        fam.add("harrier_role_info", "gauge", "pid, CPUs and state of the role (value 1)", "",
                {{"role", b.role}, {"pid", pid}, {"cpus", cpus}, {"state", state}}, 1);
        if (const json::Value* m = v->find("metrics")) add_role_metrics(fam, b.role, *m);
      }
    }
    fam.add("harrier_up", "gauge", "1 when the role's heartbeat is present and running", "",
            by_role, up);
  }
  fam.add("harrier_redis_up", "gauge", "1 when P3 reached Redis for this scrape", "", {},
          snap.redis_up ? 1 : 0);
  if (snap.redis_up) {
    fam.add("harrier_redis_ping_us", "gauge", "PING round trip from P3's connection, microseconds",
            "", {}, snap.ping_us);
  }
  for (const StreamStats& s : snap.streams) {
    fam.add("harrier_stream_length", "gauge", "entries in the stream (XLEN)", "",
            {{"stream", s.name}}, static_cast<double>(s.length));
    for (const GroupStats& g : s.groups) {
      fam.add("harrier_stream_pending", "gauge",
              "entries delivered to the group and not acknowledged (XPENDING)", "",
              {{"stream", s.name}, {"group", g.name}}, static_cast<double>(g.pending));
      fam.add("harrier_stream_consumers", "gauge", "consumers in the group", "",
              {{"stream", s.name}, {"group", g.name}}, static_cast<double>(g.consumers));
    }
  }
  return fam.render();
}

}  // namespace harrier::roles::telemetry
