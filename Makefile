# The two commands of the README, and the rest of the project's chores.
#   make run      build and run the demo (two IoTh nodes on an embedded switch)
#   make check    build and run every test: plain, ASan+UBSan, TSan (threads)
#                 make check SANITIZE=none|address|thread runs one flavour
#   make bench    benchmarks (docs/performance.md)
#   make fuzz     fuzz every parser for FUZZ_TIME seconds each (default 60)
#   make install / make uninstall   (PREFIX=/usr/local, DESTDIR honoured)
PREFIX ?= /usr/local
BUILD ?= build
JOBS ?= 2
# Most network tests wait on timers: three at once keep two cores busy.
CTEST_JOBS ?= 3
CMAKE_FLAGS ?=
SANITIZE ?=
FUZZ_TIME ?= 60
CTEST_FLAGS ?= --output-on-failure -j$(CTEST_JOBS)

.PHONY: all deps deps-build configure build run check check-plain check-address check-thread \
	bench fuzz install uninstall clean

all: build

# Building and the demo need the libraries; the tests also need their peers.
deps-build:
	@scripts/install-deps --build-only

deps: deps-build
	@scripts/install-deps

configure: deps-build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# the plugins come from the build tree (an installed libioth finds them in <libdir>/ioth)
run: build
	@IOTH_PLUGIN_PATH="$(CURDIR)/$(BUILD)/plugins$${IOTH_PLUGIN_PATH:+:$$IOTH_PLUGIN_PATH}" $(BUILD)/tools/demo/ioth-demo

ifeq ($(SANITIZE),)
check: check-plain check-address check-thread
else ifeq ($(SANITIZE),none)
check: check-plain
else
check: check-$(SANITIZE)
endif

check-plain: deps build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

check-address: deps
	@cmake -S . -B $(BUILD)-asan -DSANITIZE=address $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	cd $(BUILD)-asan && ctest $(CTEST_FLAGS) -LE no-asan

check-thread: deps
	@cmake -S . -B $(BUILD)-tsan -DSANITIZE=thread $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)-tsan -j$(JOBS)
	cd $(BUILD)-tsan && ctest $(CTEST_FLAGS) -L threads

bench: build
	@if [ -x scripts/bench ]; then scripts/bench $(BUILD); else cd $(BUILD) && ctest -L bench -V; fi

fuzz: deps
	scripts/fuzz $(FUZZ_TIME)

install: build
	cmake --install $(BUILD)

uninstall:
	cmake --build $(BUILD) --target uninstall

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-fuzz
