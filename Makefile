# wxpay: build, install, test and benchmark the PHP extension.
#
#   make demo       install what is missing, build, run the demo against the sandbox
#   make test       install what is missing, build, run every suite (with the matrix and dist-test)
#   make check      the quick loop: cargo test + the phpt suite (a minute or two)
#   make bench      medians and ratios, measured in one run
#   make install    install wxpay.so and enable it for CLI and FPM (Debian)
#   make matrix     build and test on every supported PHP (ROWS=8.4-nts for one)
#   make dist       PIE zips, .debs and the sandbox into dist/ (no Rust needed to install them)
#   make dist-test  install those in clean chroots without Rust and test them

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

PHP        ?= php
PHP_CONFIG ?= php-config
SO         := target/release/libwxpay.so
PHP_RUN    := $(PHP) -n -d extension=$(CURDIR)/$(SO)

.PHONY: all deps test-deps matrix-deps build test check phpt bench demo install uninstall clean fuzz e2e soak mutants \
	matrix dist dist-test

all: build

# Only deps and test-deps install packages (test, demo, bench, e2e, soak,
# phpt, fuzz and mutants call them); install and uninstall never run
# apt-get or touch a service.
deps:
	@bash scripts/install-deps.sh build

test-deps:
	@bash scripts/install-deps.sh test

matrix-deps:
	@bash scripts/install-deps.sh matrix

build:
	cargo build --release --workspace

# make test builds in a content mirror of the checkout (scripts/mirrored.sh),
# so a fresh clone compiles only what differs from the last build on this
# machine, and copies the module and the sandbox's binaries to target/release,
# where make build leaves them and the suites look for them.
MIRROR_HOST := $(or $(WXPAY_MATRIX_CACHE),$(HOME)/.cache/wxpay-matrix)/mirror-host.target/release
test: deps test-deps matrix-deps
	@bash scripts/mirrored.sh host cargo build --release --workspace
	@install -D -m 0755 -t target/release $(addprefix $(MIRROR_HOST)/,libwxpay.so wxpay-sandbox wxpay-testproxy)
	@bash tests/run-all.sh

check: deps test-deps
	@$(MAKE) --no-print-directory build
	@WXPAY_SUITES="cargo phpt" bash tests/run-all.sh

# Chroots, built PHPs and per-row targets are cached in ~/.cache/wxpay-matrix.
matrix: deps test-deps matrix-deps
	@$(MAKE) --no-print-directory build
	@bash scripts/matrix.sh

dist: matrix-deps
	@bash scripts/dist.sh

dist-test: matrix-deps
	@bash scripts/dist-test.sh

bench: deps test-deps
	@$(MAKE) --no-print-directory build
	@bash bench/run.sh

demo: deps test-deps
	@$(MAKE) --no-print-directory build
	@bash scripts/demo.sh

# Copies the .so, writes mods-available/wxpay.ini, runs phpenmod; nothing else.
install: build
	@bash scripts/install.sh install $(SO)

uninstall:
	@bash scripts/install.sh uninstall

clean:
	cargo clean

# The long runs (their last results are in the README).
fuzz: deps
	@bash scripts/fuzz.sh $(or $(FUZZ_SECONDS),120)

e2e: deps test-deps
	@$(MAKE) --no-print-directory build
	@bash tests/e2e/run.sh $(or $(CALLBACKS),2000) 16

soak: deps test-deps
	@$(MAKE) --no-print-directory build
	@bash tests/memory.sh $(or $(CALLS),100000)

# Mutation testing of the core (cargo-mutants; not part of make test): see docs/testing.md.
mutants: deps
	@bash scripts/mutants.sh

# One or more .phpt files with the sandbox up:  make phpt T=php-tests/wx_deliver_notify_basic.phpt
phpt: deps test-deps
	@$(MAKE) --no-print-directory build
	@tests/with-sandbox.sh $(PHP) -n $$(ls /usr/lib/php/*/build/run-tests.php | head -1) -q -n -p $$(command -v $(PHP)) \
		-d extension=$(CURDIR)/$(SO) --show-diff $(or $(T),php-tests/)
