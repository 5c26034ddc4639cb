<?php
/**
 * A local variable that is assigned once and never read: a leftover, or a value someone meant to
 * use. Function by function; variables read inside strings, closures' `use` lists and arrow
 * functions count as read. Functions that reach their variables by name (compact(),
 * get_defined_vars(), `$$name`) are skipped.
 */

namespace MiraklConnector\Sniffs\PHP;

use PHP_CodeSniffer\Files\File;
use PHP_CodeSniffer\Sniffs\Sniff;

class UnusedVariableSniff implements Sniff
{
    private const SUPERGLOBALS = [
        '$this', '$GLOBALS', '$_SERVER', '$_GET', '$_POST', '$_FILES', '$_COOKIE', '$_SESSION',
        '$_REQUEST', '$_ENV', '$http_response_header', '$argv', '$argc',
    ];

    public function register()
    {
        return [T_FUNCTION, T_CLOSURE];
    }

    public function process(File $phpcsFile, $stackPtr)
    {
        $tokens = $phpcsFile->getTokens();
        if (!isset($tokens[$stackPtr]['scope_opener'], $tokens[$stackPtr]['scope_closer'])) {
            return; // An abstract or interface method.
        }
        $open = $tokens[$stackPtr]['scope_opener'];
        $close = $tokens[$stackPtr]['scope_closer'];
        $seen = [];
        $first = [];
        for ($i = $open + 1; $i < $close; $i++) {
            $code = $tokens[$i]['code'];
            if ($code === T_CLOSURE && isset($tokens[$i]['scope_closer'])) {
                // Its body is its own scope (processed on its own); its `use` list reads ours.
                for ($j = $i + 1; $j < $tokens[$i]['scope_opener']; $j++) {
                    if ($tokens[$j]['code'] === T_VARIABLE) {
                        $seen[$tokens[$j]['content']] = ($seen[$tokens[$j]['content']] ?? 0) + 2;
                    }
                }
                $i = $tokens[$i]['scope_closer'];
                continue;
            }
            if ($code === T_STRING && in_array(strtolower($tokens[$i]['content']), ['compact', 'get_defined_vars', 'extract'], true)) {
                return;
            }
            if ($code === T_DOLLAR) {
                return; // $$name
            }
            if ($code === T_DOUBLE_QUOTED_STRING || $code === T_HEREDOC) {
                if (preg_match_all('/\$([A-Za-z_][A-Za-z0-9_]*)/', $tokens[$i]['content'], $m)) {
                    foreach ($m[1] as $name) {
                        $seen['$' . $name] = ($seen['$' . $name] ?? 0) + 2;
                    }
                }
                continue;
            }
            if ($code === T_GLOBAL || $code === T_STATIC && $this->nextCode($tokens, $i) === T_VARIABLE) {
                // `global $x;` and `static $x = …;` bind names that live on after the function.
                for ($j = $i + 1; $j < $close && $tokens[$j]['code'] !== T_SEMICOLON; $j++) {
                    if ($tokens[$j]['code'] === T_VARIABLE) {
                        $seen[$tokens[$j]['content']] = ($seen[$tokens[$j]['content']] ?? 0) + 2;
                    }
                }
                $i = $j;
                continue;
            }
            if ($code !== T_VARIABLE) {
                continue;
            }
            $name = $tokens[$i]['content'];
            $seen[$name] = ($seen[$name] ?? 0) + 1;
            $first[$name] ??= $i;
        }
        foreach ($seen as $name => $count) {
            if ($count !== 1 || !isset($first[$name]) || in_array($name, self::SUPERGLOBALS, true)) {
                continue;
            }
            $ptr = $first[$name];
            $next = $this->nextCode($tokens, $ptr);
            if ($next !== T_EQUAL) {
                continue; // Only plain `$x = …;` with nothing reading $x afterwards.
            }
            $prev = $phpcsFile->findPrevious(T_WHITESPACE, $ptr - 1, null, true);
            if ($prev !== false && in_array($tokens[$prev]['code'], [T_BITWISE_AND, T_OBJECT_OPERATOR, T_DOUBLE_COLON], true)) {
                continue;
            }
            $phpcsFile->addError('Variable %s is assigned but never read', $ptr, 'Found', [$name]);
        }
    }

    private function nextCode(array $tokens, int $ptr)
    {
        for ($i = $ptr + 1; isset($tokens[$i]); $i++) {
            if (!in_array($tokens[$i]['code'], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
                return $tokens[$i]['code'];
            }
        }
        return null;
    }
}
