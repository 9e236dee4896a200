#include "roles/common/json.h"

#include <cmath>
#include <cstdio>

#include "core/text.h"

namespace harrier::json {

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void Writer::key(std::string_view k) {
  if (!first_) out_ += ',';
  first_ = false;
  append_string(out_, k);
  out_ += ':';
}
Writer& Writer::field(std::string_view k, std::string_view v) {
  key(k);
  append_string(out_, v);
  return *this;
}
Writer& Writer::field(std::string_view k, std::int64_t v) {
  key(k);
  text::append_int(out_, v);
  return *this;
}
Writer& Writer::field(std::string_view k, std::uint64_t v) {
  key(k);
  out_ += std::to_string(v);
  return *this;
}
Writer& Writer::field(std::string_view k, double v) {
  key(k);
  if (std::isfinite(v)) {
    text::append_double(out_, v);
  } else {
    out_ += "null";
  }
  return *this;
}
Writer& Writer::field(std::string_view k, bool v) {
  key(k);
  out_ += v ? "true" : "false";
  return *this;
}
Writer& Writer::raw(std::string_view k, std::string_view json) {
  key(k);
  out_ += json;
  return *this;
}
Writer& Writer::begin_object(std::string_view k) {
  key(k);
  out_ += '{';
  first_ = true;
  return *this;
}
Writer& Writer::end_object() {
  out_ += '}';
  first_ = false;
  return *this;
}
std::string Writer::finish() {
  out_ += '}';
  return std::move(out_);
}

const Value* Value::find(std::string_view k) const {
  if (kind != Kind::kObject) return nullptr;
  auto it = object.find(k);
  return it == object.end() ? nullptr : &it->second;
}
std::optional<double> Value::number_at(std::string_view k) const {
  const Value* v = find(k);
  if (v == nullptr || v->kind != Kind::kNumber) return std::nullopt;
  return v->number;
}
std::optional<std::string> Value::string_at(std::string_view k) const {
  const Value* v = find(k);
  if (v == nullptr || v->kind != Kind::kString) return std::nullopt;
  return v->string;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  Result<Value> document() {
    HARRIER_ASSIGN_OR_RETURN(Value v, value(0));
    skip_ws();
    if (pos_ != t_.size()) return fail("trailing characters");
    return v;
  }

 private:
  Error fail(std::string_view what) const {
    return invalid_input("json: " + std::string(what) + " at offset " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\r' || t_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (t_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  Result<Value> value(int depth) {
    if (depth > 32) return fail("nesting deeper than 32");
    skip_ws();
    if (pos_ >= t_.size()) return fail("unexpected end");
    Value v;
    char c = t_[pos_];
    if (c == '{') {
      ++pos_;
      v.kind = Value::Kind::kObject;
      if (eat('}')) return v;
      do {
        skip_ws();
        HARRIER_ASSIGN_OR_RETURN(std::string k, string());
        if (!eat(':')) return fail("expected ':'");
        HARRIER_ASSIGN_OR_RETURN(Value item, value(depth + 1));
        v.object.insert_or_assign(std::move(k), std::move(item));
      } while (eat(','));
      if (!eat('}')) return fail("expected '}'");
      return v;
    }
    if (c == '[') {
      ++pos_;
      v.kind = Value::Kind::kArray;
      if (eat(']')) return v;
      do {
        HARRIER_ASSIGN_OR_RETURN(Value item, value(depth + 1));
        v.array.push_back(std::move(item));
      } while (eat(','));
      if (!eat(']')) return fail("expected ']'");
      return v;
    }
    if (c == '"') {
      v.kind = Value::Kind::kString;
      HARRIER_ASSIGN_OR_RETURN(v.string, string());
      return v;
    }
    if (literal("true")) {
      v.kind = Value::Kind::kBool;
      v.boolean = true;
      return v;
    }
    if (literal("false")) {
      v.kind = Value::Kind::kBool;
      return v;
    }
    if (literal("null")) return v;
    std::size_t start = pos_;
    while (pos_ < t_.size() &&
           (std::isdigit(static_cast<unsigned char>(t_[pos_])) || t_[pos_] == '-' ||
            t_[pos_] == '+' || t_[pos_] == '.' || t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
    }
    auto num = text::parse_double(t_.substr(start, pos_ - start));
    if (!num || !std::isfinite(*num)) {
      pos_ = start;
      return fail("expected a value");
    }
    v.kind = Value::Kind::kNumber;
    v.number = *num;
    return v;
  }

  Result<std::string> string() {
    if (pos_ >= t_.size() || t_[pos_] != '"') return fail("expected a string");
    ++pos_;
    std::string out;
    while (pos_ < t_.size()) {
      char c = t_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= t_.size()) break;
      char e = t_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > t_.size()) return fail("short \\u escape");
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = t_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') {
              cp |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              cp |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              cp |= static_cast<unsigned>(h - 'A' + 10);
            } else {
              return fail("bad \\u escape");
            }
          }
          // UTF-8 encode (surrogate pairs are kept as two code units' worth of bytes).
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }

  std::string_view t_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Value> parse(std::string_view text) {
  if (text.size() > (16u << 20)) return invalid_input("json: document larger than 16 MiB");
  return Parser(text).document();
}

}  // namespace harrier::json
