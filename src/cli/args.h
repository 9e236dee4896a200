// A small command-line parser shared by every subcommand, so `--help` is generated from the
// same table that parses (it cannot drift from the truth). Options are `--name VALUE`,
// `--name=VALUE` or boolean `--name`; repeatable options append. Unknown options, missing
// values and missing required options are usage errors naming the option.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace harrier::cli {

class ArgParser {
 public:
  ArgParser(std::string usage, std::string description)
      : usage_(std::move(usage)), description_(std::move(description)) {}

  // Each add_* binds an option to a variable that keeps its default unless the option is given.
  void add_string(std::string name, std::string metavar, std::string help, std::string* out,
                  bool required = false);
  void add_list(std::string name, std::string metavar, std::string help,
                std::vector<std::string>* out);
  void add_flag(std::string name, std::string help, bool* out);
  // Positional arguments are collected here when set; otherwise they are an error.
  void allow_positional(std::string metavar, std::vector<std::string>* out);

  enum class Outcome { kRun, kHelpShown, kUsageError };
  // Parses args (args[0] is the command name). On kUsageError a message naming the option has
  // been printed to stderr; on kHelpShown the help went to stdout.
  Outcome parse(std::span<char*> args);
  // parse() for a command body: nullopt when the command should run, else the exit code to
  // return (0 after --help, 2 after a usage error).
  std::optional<int> parse_or_exit(std::span<char*> args);
  void print_help() const;

 private:
  enum class Kind { kString, kList, kFlag };
  struct Option {
    std::string name, metavar, help;
    Kind kind;
    void* out;
    bool required;
    bool seen = false;
  };
  Option* find(std::string_view name);

  std::string usage_, description_;
  std::vector<Option> options_;
  std::string positional_metavar_;
  std::vector<std::string>* positional_ = nullptr;
};

// Converts an option's text to a number; prints "harrier: --NAME: ..." and returns nullopt on
// bad text.
std::optional<std::int64_t> int_option(std::string_view name, const std::string& text);
std::optional<double> double_option(std::string_view name, const std::string& text);

}  // namespace harrier::cli
