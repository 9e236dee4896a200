#include "cli/args.h"

#include <cstdio>

#include "core/text.h"

namespace harrier::cli {

void ArgParser::add_string(std::string name, std::string metavar, std::string help,
                           std::string* out, bool required) {
  options_.push_back(
      {std::move(name), std::move(metavar), std::move(help), Kind::kString, out, required});
}
void ArgParser::add_list(std::string name, std::string metavar, std::string help,
                         std::vector<std::string>* out) {
  options_.push_back(
      {std::move(name), std::move(metavar), std::move(help), Kind::kList, out, false});
}
void ArgParser::add_flag(std::string name, std::string help, bool* out) {
  options_.push_back({std::move(name), "", std::move(help), Kind::kFlag, out, false});
}
void ArgParser::allow_positional(std::string metavar, std::vector<std::string>* out) {
  positional_metavar_ = std::move(metavar);
  positional_ = out;
}

ArgParser::Option* ArgParser::find(std::string_view name) {
  for (Option& o : options_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

void ArgParser::print_help() const {
  std::printf("usage: %s\n\n%s\n", usage_.c_str(), description_.c_str());
  if (!options_.empty()) std::printf("\noptions:\n");
  for (const Option& o : options_) {
    std::string left = "--" + o.name;
    if (o.kind != Kind::kFlag) left += " " + o.metavar;
    std::printf("  %-24s %s%s%s\n", left.c_str(), o.help.c_str(), o.required ? " (required)" : "",
                o.kind == Kind::kList ? " (repeatable)" : "");
  }
  std::printf("  %-24s %s\n", "--help", "show this help");
}

ArgParser::Outcome ArgParser::parse(std::span<char*> args) {
  const char* cmd = args.empty() ? "harrier" : args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      print_help();
      return Outcome::kHelpShown;
    }
    if (a.size() < 3 || a.substr(0, 2) != "--") {
      if (positional_ != nullptr && !(a.size() > 1 && a[0] == '-')) {
        positional_->emplace_back(a);
        continue;
      }
      std::fprintf(stderr, "harrier %s: unexpected argument '%s' (see --help)\n", cmd, args[i]);
      return Outcome::kUsageError;
    }
    std::string_view body = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    Option* o = find(body);
    if (o == nullptr) {
      std::fprintf(stderr, "harrier %s: unknown option --%.*s (see --help)\n", cmd,
                   static_cast<int>(body.size()), body.data());
      return Outcome::kUsageError;
    }
    o->seen = true;
    if (o->kind == Kind::kFlag) {
      if (inline_value) {
        std::fprintf(stderr, "harrier %s: option --%s takes no value\n", cmd, o->name.c_str());
        return Outcome::kUsageError;
      }
      *static_cast<bool*>(o->out) = true;
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      std::fprintf(stderr, "harrier %s: option --%s needs a value %s\n", cmd, o->name.c_str(),
                   o->metavar.c_str());
      return Outcome::kUsageError;
    }
    if (o->kind == Kind::kString) {
      *static_cast<std::string*>(o->out) = std::move(value);
    } else {
      static_cast<std::vector<std::string>*>(o->out)->push_back(std::move(value));
    }
  }
  for (const Option& o : options_) {
    if (o.required && !o.seen) {
      std::fprintf(stderr, "harrier %s: missing required option --%s %s\n", cmd, o.name.c_str(),
                   o.metavar.c_str());
      return Outcome::kUsageError;
    }
  }
  return Outcome::kRun;
}

std::optional<int> ArgParser::parse_or_exit(std::span<char*> args) {
  switch (parse(args)) {
    case Outcome::kHelpShown:
      return 0;
    case Outcome::kUsageError:
      return 2;
    case Outcome::kRun:
      break;
  }
  return std::nullopt;
}

std::optional<std::int64_t> int_option(std::string_view name, const std::string& text) {
  auto v = text::parse_int(text);
  if (!v) {
    std::fprintf(stderr, "harrier: --%.*s: '%s' is not an integer\n", static_cast<int>(name.size()),
                 name.data(), text.c_str());
  }
  return v;
}

std::optional<double> double_option(std::string_view name, const std::string& text) {
  auto v = text::parse_double(text);
  if (!v || !(*v == *v)) {
    std::fprintf(stderr, "harrier: --%.*s: '%s' is not a number\n", static_cast<int>(name.size()),
                 name.data(), text.c_str());
    return std::nullopt;
  }
  return v;
}

}  // namespace harrier::cli
