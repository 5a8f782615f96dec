# Vigil — build, demo and test. `make setup` installs the Debian packages Vigil needs (root or sudo).
SWIFT ?= swift
APT_PACKAGES := libvectorscan-dev libicu-dev libsimdjson-dev libncursesw5-dev libsqlite3-dev zlib1g-dev pkg-config tmux postgresql libpq-dev nats-server libnats-dev
# Not needed to build or test, so CI does not install them (`make setup-optional`): chromium takes
# the debrief's screenshot (scripts/debrief-shot.sh).
OPTIONAL_PACKAGES := chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VIGIL := .build/release/vigil

.PHONY: setup setup-optional build release demo test lexicon-check bench sample-feeds fuzz check-sanitizers ci-sanitizers asan-build tsan clean

setup setup-optional:
	@missing=""; for p in $(if $(filter setup-optional,$@),$(OPTIONAL_PACKAGES),$(APT_PACKAGES)); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

demo: release
	$(VIGIL) monitor sample-feeds/workshop.jsonl.gz

# Regenerates the simulated sample feeds (the tests check they match the simulator).
sample-feeds: release
	$(VIGIL) simulate --scenario workshop --seed 1 --out sample-feeds/workshop.jsonl.gz --answer-key sample-feeds/workshop.key.json
	$(VIGIL) simulate --scenario recruiter-network --seed 1 --duration 45m --rate 4/s --out sample-feeds/recruiter-network.jsonl.gz --answer-key sample-feeds/recruiter-network.key.json
	$(VIGIL) simulate --scenario suspension-evasion --seed 1 --duration 45m --rate 4/s --out sample-feeds/suspension-evasion.jsonl.gz --answer-key sample-feeds/suspension-evasion.key.json
	$(VIGIL) simulate --scenario news-spike --seed 1 --duration 30m --rate 4/s --out sample-feeds/news-spike.jsonl.gz --answer-key sample-feeds/news-spike.key.json
	$(VIGIL) simulate --scenario baseline --seed 1 --duration 30m --rate 4/s --out sample-feeds/baseline.jsonl.gz --answer-key sample-feeds/baseline.key.json

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# libFuzzer targets (Fuzz/, a package of its own) for FUZZ_SECONDS each: a crash, a broken
# invariant or an input over its time budget fails. Failing inputs land in Fuzz/.build/fuzz-artifacts.
FUZZ_SECONDS ?= 60
fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) Fuzz/run.sh

# The whole suite under AddressSanitizer, and the concurrency-heavy suites (console runtime,
# following a feed, the stores) under ThreadSanitizer, each in a build folder of its own.
# Leaks are checked, but not XCTest's: its runner keeps its suite objects to the end (no Vigil
# frame in those reports). Skipped where a sanitizer defeats what a test measures: replay tests
# with a 60 s deadline for the whole workshop feed (the core runs 3-15x slower), and under ASan
# the tmux end-to-end tests (real-time waits; they send SIGSEGV to check the terminal is
# restored, and ASan takes that signal before Vigil's handler).
TSAN_SUITES := VigilConsoleTests|VigilFeedTests.FollowTests|VigilTriageTests.StoreTests|VigilTriageTests.ConcurrentRecordTests
TSAN_SLOW := flagsAndClustersDoNotDependOnTheSpeed|steppingBackRederivesExactlyTheStateOfAFreshRun
ASAN_SKIP := MonitorE2ETests|flagsAndClustersDoNotDependOnTheSpeed
# CI's share (.ci/run): ASan over the suites of the code that handles raw memory and untrusted
# bytes (text, feeds, lexicon, matching, scoring, the pipeline, clusters, rendering, reports) —
# the command-line and end-to-end suites run the same code in child processes and would not fit
# the CI budget — and the TSan suites.
ASAN_UNIT_SUITES := VigilTextTests|VigilFeedTests|VigilLexiconTests|VigilScoringTests|VigilPipelineTests|VigilCoordinationTests|VigilTUITests|VigilReportTests
ASAN_TEST = LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp $(SWIFT) test --skip-build --sanitize=address --build-path .build-asan
check-sanitizers: asan-build tsan
	$(ASAN_TEST) --skip '$(ASAN_SKIP)'
ci-sanitizers: asan-build tsan
	$(ASAN_TEST) --filter '$(ASAN_UNIT_SUITES)' --skip '$(ASAN_SKIP)'
asan-build: setup
	$(SWIFT) build --build-tests --sanitize=address --build-path .build-asan
tsan: setup
	$(SWIFT) build --build-tests --sanitize=thread --build-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --build-path .build-tsan \
	  --filter '$(TSAN_SUITES)' --skip '$(TSAN_SLOW)'

lexicon-check: release
	$(VIGIL) lexicon check

bench: release
	Benchmarks/scripts/run-all.sh

clean:
	rm -rf .build .build-asan .build-tsan Fuzz/.build
