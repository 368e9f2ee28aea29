# Appended by phpize's configure (config.m4): cargo builds the module that
# the generated Makefile's install-modules copies into extension_dir.
all: modules/wxpay.so
build-modules: modules/wxpay.so

modules/wxpay.so:
	target=$${CARGO_TARGET_DIR:-$(WXPAY_SRCDIR)/target}; \
	cd $(WXPAY_SRCDIR) && PHP=$(PHP_EXECUTABLE) PHP_CONFIG=$(WXPAY_PHP_CONFIG) $(CARGO) build --release -p wxpay --target-dir "$$target" && \
	mkdir -p $(CURDIR)/modules && cp "$$target/release/libwxpay.so" $(CURDIR)/modules/wxpay.so

.PHONY: modules/wxpay.so
