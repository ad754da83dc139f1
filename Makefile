# Thin wrapper around CMake/CTest. `make demo` and `make test` work on a fresh Debian bookworm or
# trixie machine as root (or with sudo): they install missing packages first.
# SPDX-License-Identifier: GPL-2.0-or-later
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

# Debian packages needed to build, test and package.
DEPS := g++ make cmake pkg-config libwireshark-dev libglib2.0-dev tshark wireshark-common catch2 \
        python3 dpkg-dev file libssl-dev time
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps test test-release demo install install-user install-profile-user package captures clean

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: deps
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Build, then show what the plugin finds in the bundled case study B capture (SPEC §2.5).
DEMO_CAPTURE = $(BUILD)/captures/sip-tcp-case-study-b.pcap
demo: deps
	@echo "Building (log: $(BUILD)/demo-build.log) ..."
	@mkdir -p $(BUILD) && $(MAKE) --no-print-directory build >$(BUILD)/demo-build.log 2>&1 \
	  || { tail -n 30 $(BUILD)/demo-build.log; exit 1; }
	@echo
	@echo "Case study B: each SIP refresh loses its first transmission, the TCP retransmission"
	@echo "back-off doubles, and the 15 s grace window ends up breached."
	@echo
	@tests/integration/run_tshark.py $(BUILD) -r $(DEMO_CAPTURE) \
	  -Y 'keepalive.retrans.gap || keepalive.refresh.margin || keepalive.grace.overrun' \
	  -T fields -E header=y -E occurrence=f -e frame.number -e frame.time -e keepalive.endpoint \
	  -e keepalive.retrans.gap -e keepalive.refresh.margin -e keepalive.grace.overrun
	@tests/integration/run_tshark.py $(BUILD) -r $(DEMO_CAPTURE) -q -z expert,warn

install: build
	$(SUDO) cmake --install $(BUILD)

# Personal plugin folder (not used by root: Wireshark ignores personal plugins when run as root).
WS_ABI = $(shell pkg-config --modversion wireshark 2>/dev/null | cut -d. -f1,2)
install-user: build
	install -D -m 0644 $(BUILD)/plugins/$(WS_ABI)/epan/keepalive.so \
	  $(HOME)/.local/lib/wireshark/plugins/$(WS_ABI)/epan/keepalive.so

# The "Keepalive" profile for this user only.
install-profile-user:
	install -d $(HOME)/.config/wireshark/profiles/Keepalive
	install -m 0644 packaging/profile/Keepalive/* $(HOME)/.config/wireshark/profiles/Keepalive/

package: deps
	$(MAKE) build
	cd $(BUILD) && cpack

captures: build
	$(BUILD)/captures/generator/ka-gen captures/scenarios

clean:
	rm -rf $(BUILD)

# `make test` on Debian trixie (Wireshark 4.4) in a chroot, of the committed tree (root, network);
# RELEASE=noble (Ubuntu 24.04: 4.2), forky or sid (4.6).
RELEASE ?= trixie
test-release:
	tests/chroot_test.sh $(RELEASE)

# --- Robustness and performance (not part of `make test`: they take minutes).
FUZZ_BUILD ?= build-fuzz
ASAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= engine text wire sip_parse decoder
FUZZ_FILES ?= 2000
FUZZ_FIRST_SEED ?= 1
FUZZ_DEPS := clang libclang-rt-dev
ASAN_DEPS := libasan8 libubsan1

# libFuzzer targets (tests/fuzz) for FUZZ_SECONDS each, seeded from every capture.
fuzz: deps
	@$(MAKE) --no-print-directory deps DEPS="$(FUZZ_DEPS)"
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKA_FUZZ=ON $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS)) generate_captures
	tests/fuzz/seed_corpus.py $(FUZZ_BUILD)/seeds captures/third_party/*.pcap* $(FUZZ_BUILD)/captures/*.pcap*
	@mkdir -p $(FUZZ_BUILD)/artifacts; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $(FUZZ_BUILD)/corpus/$$t \
	    tests/fuzz/corpus/$$t $(FUZZ_BUILD)/seeds/$$t >$(FUZZ_BUILD)/fuzz_$$t.log 2>&1; rc=$$?; \
	  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)' $(FUZZ_BUILD)/fuzz_$$t.log; \
	  if [ $$rc -ne 0 ]; then tail -n 40 $(FUZZ_BUILD)/fuzz_$$t.log; echo "fuzz_$$t FAILED: see $(FUZZ_BUILD)/artifacts"; exit 1; fi; \
	done

# Every bundled capture mutated with editcap -E, dissected by tshark with an ASan+UBSan plugin.
fuzz-captures: deps
	@$(MAKE) --no-print-directory deps DEPS="$(ASAN_DEPS)"
	cmake -S . -B $(ASAN_BUILD) -DKA_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target keepalive generate_captures
	tests/fuzz/fuzz_captures.py $(ASAN_BUILD) --files $(FUZZ_FILES) --first-seed $(FUZZ_FIRST_SEED)

# Fleet benchmark: tshark alone vs with the plugin vs a Lua post-dissector (see bench/RESULTS.md).
BENCH_PAIRS ?= 5
BENCH_DEPS := libpcap-dev
.PHONY: bench bench-cycles
bench: deps
	@$(MAKE) --no-print-directory deps DEPS="$(BENCH_DEPS)"
	$(MAKE) build
	bench/run.py --build $(BUILD) --pairs $(BENCH_PAIRS)

# The same cost counted (callgrind) on a steady stretch of the fleet: deterministic, unlike wall time.
bench-cycles: deps
	@$(MAKE) --no-print-directory deps DEPS="valgrind"
	$(MAKE) build
	bench/cycles.py --build $(BUILD)
