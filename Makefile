# Vigil — build, demo and test. `make setup` installs the Debian packages Vigil needs (root or sudo).
SWIFT ?= swift
APT_PACKAGES := libvectorscan-dev libicu-dev libsimdjson-dev libncursesw5-dev libsqlite3-dev zlib1g-dev pkg-config tmux postgresql libpq-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VIGIL := .build/release/vigil

.PHONY: setup build release demo test lexicon-check bench sample-feeds clean

setup:
	@missing=""; for p in $(APT_PACKAGES); do \
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

lexicon-check: release
	$(VIGIL) lexicon check

bench: release
	Benchmarks/scripts/run-all.sh

clean:
	rm -rf .build
