# wxpay: build, install, test and benchmark the PHP extension.
#
#   make demo       install what is missing, build, run the demo against the sandbox
#   make test       install what is missing, build, run every suite
#   make bench      medians and ratios, measured in one run
#   make install    install wxpay.so and enable it for CLI and FPM (Debian)

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

PHP        ?= php
PHP_CONFIG ?= php-config
SO         := target/release/libwxpay.so
PHP_RUN    := $(PHP) -n -d extension=$(CURDIR)/$(SO)

.PHONY: all deps build test bench demo install uninstall clean fuzz e2e soak

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cargo build --release --workspace

test: build
	@bash tests/run-all.sh

bench: build
	@bash bench/run.sh

demo: build
	@bash scripts/demo.sh

install: build
	@bash scripts/install.sh install $(SO)

uninstall:
	@bash scripts/install.sh uninstall

clean:
	cargo clean

# The long runs (their last results are in the README).
fuzz: deps
	@bash scripts/fuzz.sh $(or $(FUZZ_SECONDS),120)

e2e: build
	@bash tests/e2e/run.sh $(or $(CALLBACKS),2000) 16

soak: build
	@bash tests/memory.sh $(or $(CALLS),100000)

# One or more .phpt files with the sandbox up:  make phpt T=php-tests/wx_deliver_notify_basic.phpt
phpt: build
	@tests/with-sandbox.sh $(PHP) -n $$(ls /usr/lib/php/*/build/run-tests.php | head -1) -q -n -p $$(command -v $(PHP)) \
		-d extension=$(CURDIR)/$(SO) --show-diff $(or $(T),php-tests/)
