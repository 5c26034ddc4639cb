<?php
/** The core's vocabularies as class constants: every value has its constant, and nothing else. */

declare(strict_types=1);
require __DIR__ . '/lib/assert.php';

use MiraklConnector\Native\EntityType;
use MiraklConnector\Native\JobKind;
use MiraklConnector\Native\ProblemKind;

foreach ([JobKind::class, ProblemKind::class, EntityType::class] as $class) {
    $all       = $class::all();
    $constants = (new ReflectionClass($class))->getConstants();
    assert(count($all) > 0, "$class lists its values");
    assert(count(array_unique($all)) === count($all), "$class values are unique");
    $expected = [];
    foreach ($all as $value) {
        $expected[strtoupper($value)] = $value;
    }
    ksort($constants);
    ksort($expected);
    assert($constants === $expected, "$class has exactly one constant per value");
}

assert(ProblemKind::CARRIER_UNMAPPED === 'carrier_unmapped', 'the constant is the stored text');
assert(JobKind::SHIP_ORDER === 'ship_order', 'job kinds too');
assert(EntityType::MIRAKL_ORDER === 'mirakl_order' && EntityType::SHOP_ORDER === 'shop_order', 'two order ids, two entity types');
assert(! in_array(JobKind::OFFER_DIRTY, JobKind::runnable(), true), 'a marker kind is never run');
assert(array_intersect(JobKind::all(), EntityType::all()) === [], 'a job kind is never an entity type');
echo "ok\n";
