# Turnout: a thin wrapper around meson/ninja so that the usual commands
# work from a fresh clone:  make, make check, make run, make install.
#
#   make                 build everything; programs land in build/bin/
#   make check           build, then run every test (unit + integration)
#   make check-sanitize  the same in an ASan+UBSan build (build-sanitize/)
#   make fuzz            build the libFuzzer targets with clang (build-fuzz/)
#   make run / stop      start / stop the sandbox
#   make bench           build, then benchmark ovsdb-server side by side
#                        with the reference (BENCHFLAGS=--quick for a
#                        short run); see bench/README.md
#   make install         install under PREFIX (default /usr/local)

PREFIX ?= /usr/local
BUILD ?= build
PYTHON ?= /usr/bin/python3
# Extra arguments for pytest, e.g. make check TESTFLAGS='-k vlog -x'.
TESTFLAGS ?=
# Extra arguments for bench/ovsdb_bench.py, e.g. make bench BENCHFLAGS=--quick.
BENCHFLAGS ?=
# Extra arguments for bench/vsctl_bench.py, e.g. --bulk-middle.
VSCTL_BENCHFLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build check check-sanitize fuzz bench run stop install clean

all: build

deps:
	@scripts/install-deps --check 2>/dev/null || scripts/install-deps

build: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then \
	    meson setup $(BUILD) --prefix=$(PREFIX); \
	fi
	@ninja -C $(BUILD)

check: build
	TURNOUT_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -p no:cacheprovider \
	    -n $(JOBS) $(TESTFLAGS) tests

check-sanitize: deps
	@if [ ! -f build-sanitize/build.ninja ]; then \
	    meson setup build-sanitize -Db_sanitize=address,undefined \
	        -Db_lundef=false -Dbuildtype=debug; \
	fi
	@ninja -C build-sanitize
	@rm -rf build-sanitize/reports && mkdir -p build-sanitize/reports
	TURNOUT_BUILD=$(abspath build-sanitize) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(abspath build-sanitize)/reports/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(abspath build-sanitize)/reports/ubsan \
	    $(PYTHON) -m pytest -p no:cacheprovider -n $(JOBS) $(TESTFLAGS) tests
	@# Detached daemons have no terminal: their reports land in files.
	@if [ -n "$$(ls build-sanitize/reports)" ]; then \
	    echo "sanitizer reports:"; cat build-sanitize/reports/*; exit 1; \
	else echo "no sanitizer reports"; fi

fuzz: deps
	@if [ ! -f build-fuzz/build.ninja ]; then \
	    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=disabled \
	        -Db_sanitize=address,undefined -Db_lundef=false; \
	fi
	@ninja -C build-fuzz
	@echo "fuzz targets (run one with -max_total_time=60):"
	@find build-fuzz/tests/fuzz -maxdepth 1 -type f -executable \
	    -name 'fuzz-*' | sort | sed 's/^/    /'

bench: build
	$(PYTHON) bench/ovsdb_bench.py --turnout $(BUILD)/bin/ovsdb-server \
	    $(BENCHFLAGS)
	$(PYTHON) bench/vsctl_bench.py --build $(BUILD) \
	    $(filter --quick,$(BENCHFLAGS)) $(VSCTL_BENCHFLAGS)

run: build
	@scripts/sandbox start

stop:
	@scripts/sandbox stop

# The prefix is compiled into the programs (default directories), so a
# new PREFIX reconfigures and rebuilds before installing.  DESTDIR stages.
install: build
	@if [ "$$(meson introspect $(BUILD) --buildoptions | $(PYTHON) -c \
	    'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')" \
	    != "$(PREFIX)" ]; then meson configure $(BUILD) --prefix=$(PREFIX); fi
	@ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf build build-sanitize build-fuzz
