<?php
/** The exception hierarchy: one base class whose constants mirror the stable codes. */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';

use MiraklConnector\Native\NativeException;

$base = new ReflectionClass(NativeException::class);
assert($base->isSubclassOf(Exception::class), 'NativeException extends Exception');

$subclasses = ['SettingsException', 'StoreException', 'MiraklException', 'ShopException', 'InternalException'];
foreach ($subclasses as $short) {
    $class = 'MiraklConnector\\Native\\' . $short;
    assert(class_exists($class), "$class exists");
    assert(is_subclass_of($class, NativeException::class), "$class extends NativeException");
}

$codes = $base->getConstants();
$expected = [
    'INTERNAL' => 1, 'INVALID_SETTINGS' => 100, 'INVALID_ARGUMENT' => 101, 'STORE' => 200, 'STORE_BUSY' => 201,
    'MIRAKL_TRANSIENT' => 300, 'MIRAKL_THROTTLED' => 301, 'MIRAKL_REJECTED' => 302, 'MIRAKL_AUTH' => 303,
    'MIRAKL_DECODE' => 304, 'MIRAKL_OUTCOME_UNKNOWN' => 305, 'CALL_BUDGET_EXHAUSTED' => 306,
    'SHOP_REJECTED' => 400, 'SHOP_TRANSIENT' => 401,
];
foreach ($expected as $name => $value) {
    assert(($codes[$name] ?? null) === $value, "NativeException::$name === $value");
}
assert(count(array_unique($codes)) === count($codes), 'codes are unique');
echo "ok\n";
