# Vigil — build, demo and test. `make setup` installs the Debian packages Vigil needs (root or sudo).
SWIFT ?= swift
APT_PACKAGES := libvectorscan-dev libicu-dev libsimdjson-dev libncursesw5-dev zlib1g-dev pkg-config tmux
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VIGIL := .build/release/vigil

.PHONY: setup build release demo test lexicon-check bench clean

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
	$(VIGIL) scan sample-feeds/demo.jsonl --format table

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

lexicon-check: release
	$(VIGIL) lexicon check

bench: release
	Benchmarks/scripts/run-all.sh

clean:
	rm -rf .build
