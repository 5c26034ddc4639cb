<?php
/**
 * The plugin supports PHP 8.1: no language feature and no function that came later. Covers what
 * is likely to slip in (readonly classes, typed class constants, asymmetric visibility and the
 * functions added in 8.2 to 8.4), not the whole of PHP's changelog.
 */

namespace MiraklConnector\Sniffs\PHP;

use PHP_CodeSniffer\Files\File;
use PHP_CodeSniffer\Sniffs\Sniff;

class Php81CompatibilitySniff implements Sniff
{
    /** Functions and the PHP version that added them. */
    private const NEWER_FUNCTIONS = [
        'ini_parse_quantity' => '8.2', 'memory_reset_peak_usage' => '8.2',
        'mysqli_execute_query' => '8.2', 'openssl_cipher_key_length' => '8.2',
        'curl_upkeep' => '8.2', 'libxml_get_external_entity_loader' => '8.2',
        'json_validate' => '8.3', 'mb_str_pad' => '8.3', 'str_increment' => '8.3',
        'str_decrement' => '8.3', 'stream_context_set_options' => '8.3',
        'array_find' => '8.4', 'array_find_key' => '8.4', 'array_any' => '8.4',
        'array_all' => '8.4', 'mb_trim' => '8.4', 'mb_ltrim' => '8.4', 'mb_rtrim' => '8.4',
        'mb_ucfirst' => '8.4', 'mb_lcfirst' => '8.4', 'bcdivmod' => '8.4',
        'http_get_last_response_headers' => '8.4', 'http_clear_last_response_headers' => '8.4',
        'request_parse_body' => '8.4', 'fpow' => '8.4',
    ];

    public function register()
    {
        return [T_STRING, T_READONLY, T_CONST];
    }

    public function process(File $phpcsFile, $stackPtr)
    {
        $tokens = $phpcsFile->getTokens();
        $next = $phpcsFile->findNext(T_WHITESPACE, $stackPtr + 1, null, true);
        $prev = $phpcsFile->findPrevious(T_WHITESPACE, $stackPtr - 1, null, true);
        switch ($tokens[$stackPtr]['code']) {
            case T_READONLY:
                $after = $phpcsFile->findNext([T_WHITESPACE, T_FINAL, T_ABSTRACT], $stackPtr + 1, null, true);
                if ($after !== false && $tokens[$after]['code'] === T_CLASS) {
                    $phpcsFile->addError('Readonly classes need PHP 8.2; the plugin supports 8.1', $stackPtr, 'ReadonlyClass');
                }
                return;
            case T_CONST:
                // `const TYPE NAME =` (typed class constants) is PHP 8.3.
                $second = $next === false ? false : $phpcsFile->findNext(T_WHITESPACE, $next + 1, null, true);
                if ($second !== false && in_array($tokens[$next]['code'], [T_STRING, T_ARRAY, T_NULLABLE], true)
                    && $tokens[$second]['code'] === T_STRING) {
                    $phpcsFile->addError('Typed class constants need PHP 8.3; the plugin supports 8.1', $stackPtr, 'TypedConstant');
                }
                return;
        }
        $name = strtolower($tokens[$stackPtr]['content']);
        if ($name === 'set' && $prev !== false && $next !== false
            && $tokens[$prev]['code'] === T_OPEN_PARENTHESIS && $tokens[$next]['code'] === T_CLOSE_PARENTHESIS) {
            $before = $phpcsFile->findPrevious(T_WHITESPACE, $prev - 1, null, true);
            if ($before !== false && in_array($tokens[$before]['code'], [T_PUBLIC, T_PROTECTED, T_PRIVATE], true)) {
                $phpcsFile->addError('Asymmetric visibility needs PHP 8.4; the plugin supports 8.1', $stackPtr, 'AsymmetricVisibility');
            }
            return;
        }
        if (!isset(self::NEWER_FUNCTIONS[$name]) || $next === false || $tokens[$next]['code'] !== T_OPEN_PARENTHESIS) {
            return;
        }
        if ($prev !== false && in_array($tokens[$prev]['code'], [T_OBJECT_OPERATOR, T_NULLSAFE_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION, T_NEW], true)) {
            return; // A method, or the project's own function of that name.
        }
        $phpcsFile->addError(
            '%s() needs PHP %s; the plugin supports 8.1',
            $stackPtr,
            'NewerFunction',
            [$name, self::NEWER_FUNCTIONS[$name]]
        );
    }
}
