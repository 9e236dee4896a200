// Test helpers: frames written in the reference's notation, where '|' stands for the NUL
// field terminator ("49|1|" is the payload 34 39 00 31 00).
#pragma once

#include <string>
#include <string_view>

#include "broker/tws/framing.h"

namespace harrier::tws::testing {

// "49|1|" -> the payload bytes "49\0" "1\0".
inline std::string payload(std::string_view pipes) {
  std::string p(pipes);
  for (char& c : p) {
    if (c == '|') c = '\0';
  }
  return p;
}

// "49|1|" -> length prefix + payload.
inline std::string frame(std::string_view pipes) {
  std::string out;
  append_frame(out, payload(pipes));
  return out;
}

// A frame back in pipe notation, with the 4-byte length checked; "<bad length>" if it lies.
inline std::string pipes(std::string_view frame_bytes) {
  if (frame_bytes.size() < 4) return "<short frame>";
  const auto* p = reinterpret_cast<const unsigned char*>(frame_bytes.data());
  std::size_t len = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                    (std::size_t{p[2]} << 8) | std::size_t{p[3]};
  if (len != frame_bytes.size() - 4) return "<bad length>";
  std::string s(frame_bytes.substr(4));
  for (char& c : s) {
    if (c == '\0') c = '|';
  }
  return s;
}

}  // namespace harrier::tws::testing
