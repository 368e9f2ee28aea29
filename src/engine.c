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
#include <zend_extensions.h>
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

/*
 * PHP's own rule for null passed to a parameter that does not accept it, for
 * every wxpay function: ext-php-rs refuses such a null with its own wording
 * (or none), where php-src's functions, through zend_parse_parameters, give
 * a deprecation and coerce (bool false, string "") in weak mode, and their
 * TypeError under strict_types or for an array. The original handler is kept
 * in a reserved slot of the function itself, which survives ZTS's per-thread
 * copies of the function table.
 */
static int wxpay_handler_slot = -1;

/* Whether this thread is inside a wxpay function: the module's panic hook
 * speaks only for panics there and leaves every other one to the hook it
 * replaced. Cleared at each request start, in case a bailout (a fatal
 * error) left a call without returning. */
static _Thread_local bool wxpay_inside;

bool wxpay_inside_call(void)
{
    return wxpay_inside;
}

/* The running internal function's name (NULL outside any call): the name
 * its messages start with, as PHP's own zend_argument_*_error() do. */
const char *wxpay_active_function(void)
{
    return get_active_function_name();
}

/* A constant's value, or NULL when it is not defined. */
zval *wxpay_constant(const char *name, size_t len)
{
    return zend_get_constant_str(name, len);
}

/* The class of the running method, or "" for a plain function. */
const char *wxpay_active_class(void)
{
    const char *space = "";
    const char *name = get_active_class_name(&space);
    return *space ? name : "";
}

void wxpay_request_start(void)
{
    wxpay_inside = false;
}

/* php-src's zend_null_arg_deprecated(), which it does not export. False when
 * an error handler turned the deprecation into an exception. */
static bool wxpay_null_arg_deprecated(const char *type, uint32_t arg_num)
{
    const char *arg_name = get_active_function_arg_name(arg_num);
    zend_error(E_DEPRECATED, "%s(): Passing null to parameter #%" PRIu32 "%s%s%s of type %s is deprecated",
               get_active_function_name(), arg_num, arg_name ? " ($" : "", arg_name ? arg_name : "",
               arg_name ? ")" : "", type);
    return !EG(exception);
}

static ZEND_NAMED_FUNCTION(wxpay_null_args)
{
    zend_internal_function *f = &EX(func)->internal_function;
    uint32_t given = ZEND_CALL_NUM_ARGS(execute_data);
    /* Too few arguments is checked first, as zend_parse_parameters does. */
    uint32_t n = given < f->required_num_args ? 0 : MIN(given, f->num_args);
    for (uint32_t i = 0; i < n; i++) {
        zval *arg = ZEND_CALL_ARG(execute_data, i + 1);
        zend_type type = f->arg_info[i].type;
        if (Z_TYPE_P(arg) != IS_NULL || ZEND_TYPE_ALLOW_NULL(type)) {
            continue;
        }
        uint32_t mask = ZEND_TYPE_PURE_MASK(type);
        const char *name = (mask & MAY_BE_BOOL) == MAY_BE_BOOL ? "bool"
                           : (mask & MAY_BE_STRING) ? "string"
                           : (mask & MAY_BE_LONG) ? "int"
                           : NULL;
        if (name == NULL || ZEND_ARG_USES_STRICT_TYPES()) {
            zend_string *declared = zend_type_to_string(type);
            zend_argument_type_error(i + 1, "must be of type %s, null given", ZSTR_VAL(declared));
            zend_string_release(declared);
            RETURN_THROWS();
        }
        if (!wxpay_null_arg_deprecated(name, i + 1)) {
            RETURN_THROWS();
        }
        if (name[0] == 'b') {
            ZVAL_FALSE(arg);
        } else if (name[0] == 's') {
            ZVAL_EMPTY_STRING(arg);
        } else {
            ZVAL_LONG(arg, 0);
        }
    }
    bool outer = wxpay_inside;
    wxpay_inside = true;
    ((zif_handler) f->reserved[wxpay_handler_slot])(execute_data, return_value);
    wxpay_inside = outer;
}

/* Puts wxpay_null_args in front of every function of `module_name`. Module
 * startup only. Returns the number of functions wrapped, or -1. */
int wxpay_wrap_null_args(const char *module_name, size_t len)
{
    zend_module_entry *module = zend_hash_str_find_ptr(&module_registry, module_name, len);
    if (module == NULL) {
        return -1;
    }
    wxpay_handler_slot = zend_get_resource_handle(module_name);
    if (wxpay_handler_slot < 0) {
        return -1;
    }
    int wrapped = 0;
    zend_function *func;
    ZEND_HASH_FOREACH_PTR(CG(function_table), func) {
        if (func->type == ZEND_INTERNAL_FUNCTION && func->internal_function.module == module) {
            func->internal_function.reserved[wxpay_handler_slot] = (void *) func->internal_function.handler;
            func->internal_function.handler = wxpay_null_args;
            wrapped++;
        }
    } ZEND_HASH_FOREACH_END();
    return wrapped;
}
