# Harrier's front door (STYLE B1: a thin layer over CMake presets).
#   make demo    install what is missing, build (release), run the demo until Ctrl-C
#   make test    install what is missing, build (debug + ASan/UBSan), run every test
#   make bench   build (release) and run the micro benchmarks
#   make fuzz    build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#   make format  clang-format every C++ file in place
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600
# `make test` runs the Arrow reader's libFuzzer target 60 s and the others this long (ASan),
# before the CTest suites, with a fixed seed so a clean clone explores the same inputs first
# (`make fuzz` runs longer with random seeds; its findings join the seed corpora).
FUZZ_TEST_SECONDS ?= 20
CTEST_ARGS ?=

.PHONY: all deps build-release build-debug demo test bench fuzz format format-check oracle-deps clean

all: build-release

deps:
	@scripts/install-deps

build/release/build.ninja: CMakeLists.txt CMakePresets.json | deps
	cmake --preset release

build/debug/build.ninja: CMakeLists.txt CMakePresets.json | deps
	cmake --preset debug

build-release: deps build/release/build.ninja
	cmake --build build/release -j $(JOBS)

build-debug: deps build/debug/build.ninja
	cmake --build build/debug -j $(JOBS)

oracle-deps: deps
	@if [ -f tests/oracle/package-lock.json ] && [ ! -d tests/oracle/node_modules ]; then \
	  cd tests/oracle && npm ci --no-audit --no-fund --loglevel=error; fi
	@if [ -f tests/oracle_ib/package-lock.json ] && [ ! -d tests/oracle_ib/node_modules ]; then \
	  cd tests/oracle_ib && npm ci --no-audit --no-fund --loglevel=error; fi

# The whole system (ARCHITECTURE §1) on the simulator with the paper broker, the example
# strategy and a private Redis, until Ctrl-C. tests/e2e/demo_test.sh runs the same command.
DEMO_ARGS := up --config examples/demo.toml

demo: build-release
	build/release/src/harrier $(DEMO_ARGS)

# The fuzzers run first so that CTest's summary is the last thing `make test` prints.
test: build-debug oracle-deps
	FUZZ_SEED=1 scripts/run-fuzz --build 60 arrow_reader_fuzz
	FUZZ_SEED=1 scripts/run-fuzz --build $(FUZZ_TEST_SECONDS) feed_fuzz tws_decoder_fuzz
	ctest --preset debug $(CTEST_ARGS)

bench: build-release
	scripts/run-bench

fuzz: deps
	cmake --preset fuzz
	cmake --build build/fuzz -j $(JOBS)
	scripts/run-fuzz $(FUZZ_SECONDS)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

format-check:
	git ls-files '*.h' '*.cc' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build
