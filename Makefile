# skbscope: `make test` and `make run` do all set-up (Debian packages, configure, build).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SCENARIO ?= lessons/scenarios/send-walk.yaml
# Where the GUI puts the cursor when it opens: A's send() in the default scenario.
RUN_GOTO ?= send\#1
CMAKE_FLAGS ?=
# ccache: paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: all deps configure build test run demo bench clean

all: build

deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS)

# Opens the GUI on the default scenario; with no display, runs the CLI demo instead and says so.
run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD)/bin/skbscope --scenario $(SCENARIO) --goto "$(RUN_GOTO)"; \
	else \
	  echo "No display (DISPLAY/WAYLAND_DISPLAY unset): running the CLI demo instead of the GUI."; \
	  $(MAKE) --no-print-directory demo; \
	fi

demo: build
	@mkdir -p out
	$(BUILD)/bin/skbscope-cli run $(SCENARIO) --trace out/demo.sktrace --pcap A:eth0=out/a.pcap --pcap B:eth0=out/b.pcap
	$(BUILD)/bin/skbscope-cli chain out/demo.sktrace --host A --syscall send --functions-only
	$(BUILD)/bin/skbscope-cli info out/demo.sktrace
	@echo "Open the trace in the GUI later with: $(BUILD)/bin/skbscope out/demo.sktrace"

# The core/lab benchmarks, then the GUI's (a timeline frame of a 1M-event trace), offscreen.
bench: deps
	cmake -S . -B $(BUILD)-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSKBSCOPE_BUILD_BENCH=ON -DSKBSCOPE_BUILD_TESTS=OFF -DSKBSCOPE_BUILD_GUI=ON
	cmake --build $(BUILD)-bench -j $(JOBS) --target skbscope_bench skbscope_ui_bench
	$(BUILD)-bench/bin/skbscope_bench
	QT_QPA_PLATFORM=offscreen $(BUILD)-bench/bin/skbscope_ui_bench

clean:
	rm -rf $(BUILD) $(BUILD)-bench out
