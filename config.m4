dnl The source build that PIE's "composer-default" method (and a plain
dnl phpize && ./configure && make && make install) runs. wxpay is written in
dnl Rust: this only checks for cargo and hands the build to it.
PHP_ARG_ENABLE([wxpay], [whether to enable wxpay],
  [AS_HELP_STRING([--enable-wxpay], [Enable wxpay (WeChat Pay v2 shipping notifications)])], [yes])

if test "$PHP_WXPAY" != "no"; then
  AC_PATH_PROG([CARGO], [cargo], [no], [$PATH:$HOME/.cargo/bin])
  if test "$CARGO" = "no"; then
    AC_MSG_ERROR([wxpay is written in Rust, and building it from source needs cargo (Rust 1.89 or later, from rustup) and clang. Without Rust, install a pre-built wxpay instead: the php8.x-wxpay .deb, or the php_wxpay-*.zip for your PHP version and NTS/ZTS unpacked into extension_dir (see README.md, "Install").])
  fi
  AC_PATH_PROG([CLANG], [clang], [no])
  if test "$CLANG" = "no"; then
    AC_MSG_ERROR([building wxpay needs clang and libclang (Debian: apt-get install clang libclang-dev) to read PHP's headers.])
  fi
  WXPAY_PHP_CONFIG=$PHP_CONFIG
  WXPAY_SRCDIR=$abs_srcdir
  PHP_SUBST([WXPAY_SRCDIR])
  PHP_SUBST([CARGO])
  PHP_SUBST([WXPAY_PHP_CONFIG])
  PHP_ADD_MAKEFILE_FRAGMENT([$abs_srcdir/Makefile.frag])
fi
