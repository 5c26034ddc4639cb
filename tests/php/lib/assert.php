<?php
/**
 * Tiny helpers shared by the extension smoke scripts. Each script runs under
 * `php -n -d extension=... -d zend.assertions=1 -d assert.exception=1` and passes by exiting 0.
 */

declare(strict_types=1);

/**
 * Runs $call and returns the Throwable it throws; fails when it throws nothing or another class.
 */
function expect_throws(string $class, callable $call): Throwable
{
    try {
        $call();
    } catch (Throwable $caught) {
        assert($caught instanceof $class, sprintf('expected %s, got %s: %s', $class, get_class($caught), $caught->getMessage()));
        return $caught;
    }
    throw new AssertionError("expected $class, nothing was thrown");
}

function repo_root(): string
{
    return dirname(__DIR__, 3);
}
