<?php
/*
 * Prints the API surface of the wxpay extension, or of the stub file when
 * given its path, in one comparable form (used by wxpay_stub_match.phpt).
 *
 *   php -d extension=wxpay.so tests/describe_api.php
 *   php -n tests/describe_api.php stubs/wxpay.stub.php
 */

if (isset($argv[1])) {
    $before = [get_defined_functions()['user'], get_declared_classes()];
    require $argv[1];
    $functions = array_diff(get_defined_functions()['user'], $before[0]);
    $classes = array_diff(get_declared_classes(), $before[1]);
} else {
    $ext = new ReflectionExtension('wxpay');
    $functions = array_keys($ext->getFunctions());
    $classes = $ext->getClassNames();
}

function type_of(?ReflectionType $t): string { return $t === null ? '-' : (string) $t; }

$lines = [];
foreach ($functions as $name) {
    $f = new ReflectionFunction($name);
    $params = [];
    foreach ($f->getParameters() as $p) {
        $default = $p->isOptional()
            ? ' = ' . ($p->isDefaultValueAvailable() ? json_encode($p->getDefaultValue()) : '?')
            : '';
        $attrs = implode('', array_map(fn($a) => '#[' . $a->getName() . '] ', $p->getAttributes()));
        $params[] = $attrs . type_of($p->getType()) . ' ' . ($p->isPassedByReference() ? '&' : '') . '$' . $p->getName() . $default;
    }
    $lines[] = 'function ' . $f->getName() . '(' . implode(', ', $params) . '): ' . type_of($f->getReturnType());
}
foreach ($classes as $name) {
    $c = new ReflectionClass($name);
    $line = ($c->isFinal() ? 'final ' : '') . ($c->isAbstract() ? 'abstract ' : '') . 'class ' . $c->getName();
    if ($parent = $c->getParentClass()) {
        $line .= ' extends ' . $parent->getName();
    }
    $own = array_filter($c->getMethods(), fn($m) => $m->getDeclaringClass()->getName() === $c->getName());
    $methods = array_map(fn($m) => $m->getName(), $own);
    sort($methods);
    $line .= ' {' . implode(', ', $methods) . '}';
    $lines[] = $line;
}
sort($lines);
echo implode("\n", $lines), "\n";
