/*
 * The few engine calls the binding needs that ext-php-rs does not bind.
 *
 * Written in C against the target PHP's own headers so that the compiler,
 * not a comment, checks each signature and calling convention (several are
 * ZEND_FASTCALL, which is not the C convention on every target) and CG()
 * picks the NTS or the ZTS compiler globals. Rust declares exactly these
 * wxpay_* functions, whose types are plain C.
 */
#include <php.h>
#include <zend_attributes.h>
#include <zend_ini.h>
#include <zend_sort.h>

#if PHP_VERSION_ID < 80200
#error "wxpay needs PHP 8.2 or later: the signing rule follows PHP 8.2's ksort order and locale-free strtolower"
#endif

/* PHP's own (string) conversion: floats honour `precision`, objects call __toString. */
zend_string *wxpay_zval_string(zval *op)
{
    return zval_get_string_func(op);
}

/* The string-vs-string key comparison of ksort. */
int wxpay_smart_strcmp(zend_string *a, zend_string *b)
{
    return zendi_smart_strcmp(a, b);
}

/* The int-vs-string key comparison of ksort. */
int wxpay_compare(zval *a, zval *b)
{
    return zend_compare(a, b);
}

/* The hybrid insertion sort behind ksort. */
void wxpay_sort(void *base, size_t count, size_t size, compare_func_t cmp, swap_func_t swp)
{
    zend_sort(base, count, size, cmp, swp);
}

/* The current value of an ini directive, or NULL. */
const char *wxpay_ini_string(const char *name, size_t len)
{
    bool exists = false;
    return zend_ini_string_ex(name, len, 0, &exists);
}

/* phpinfo()'s directive table of one module. */
void wxpay_display_ini_entries(zend_module_entry *module)
{
    display_ini_entries(module);
}

/*
 * Marks parameters of an internal function #[\SensitiveParameter], as
 * php-src's generated arginfo does for password_hash(). Module startup only.
 * Returns the number of parameters marked, or -1 if the function is unknown.
 */
int wxpay_mark_sensitive(const char *name, size_t len, const uint32_t *params, size_t count)
{
    zend_function *func = zend_hash_str_find_ptr(CG(function_table), name, len);
    if (func == NULL) {
        return -1;
    }
    zend_string *attr = zend_string_init_interned("SensitiveParameter", sizeof("SensitiveParameter") - 1, 1);
    for (size_t i = 0; i < count; i++) {
        zend_add_parameter_attribute(func, params[i], attr, 0);
    }
    return (int) count;
}

/* Sets the (protected) message and code of a fresh exception object: the
 * only way to give it a code wider than ext-php-rs's i32. */
void wxpay_set_exception_fields(zend_class_entry *scope, zend_object *object, const char *message, size_t len,
                                zend_long code)
{
    zend_update_property_stringl(scope, object, "message", sizeof("message") - 1, message, len);
    zend_update_property_long(scope, object, "code", sizeof("code") - 1, code);
}
