// The protocol-level fake TWS (src/broker/tws/fake_tws.h) on 127.0.0.1, driven on a thread of
// its own for tests that run the real `harrier` binary against it (no live TWS is reachable
// here). The fake is not thread-safe: only the driving thread touches it, through `script`,
// called after every duty cycle; the test thread reads the fake only after stop().
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "broker/tws/fake_tws.h"

namespace harrier::ib_test {

class FakeTwsThread {
 public:
  // `script` runs on the fake's thread after each do_work(), with the fake.
  explicit FakeTwsThread(std::function<void(tws::testing::FakeTws&)> script)
      : script_(std::move(script)) {
    auto f = tws::testing::FakeTws::start();
    if (!f) return;
    fake_ = std::move(*f);
    port_ = fake_->port();
    thread_ = std::jthread([this](std::stop_token st) {
      while (!st.stop_requested()) {
        const int n = fake_->do_work();
        script_(*fake_);
        if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  ~FakeTwsThread() { stop(); }
  FakeTwsThread(const FakeTwsThread&) = delete;
  FakeTwsThread& operator=(const FakeTwsThread&) = delete;

  bool started() const { return fake_ != nullptr; }
  int port() const { return port_; }
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }
  // REQUIRES: stop() was called.
  tws::testing::FakeTws& fake() { return *fake_; }

 private:
  std::function<void(tws::testing::FakeTws&)> script_;
  std::unique_ptr<tws::testing::FakeTws> fake_;
  int port_ = 0;
  std::jthread thread_;
};

}  // namespace harrier::ib_test
