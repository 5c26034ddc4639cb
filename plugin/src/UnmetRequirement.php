<?php
/**
 * One unmet requirement: a stable code, what is wrong and exactly how to fix it.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector;

defined( 'ABSPATH' ) || exit;

/**
 * Value object describing an unmet requirement (plain text; escaped where shown).
 */
final class UnmetRequirement {

	/**
	 * Constructor.
	 *
	 * @param string $code  Stable identifier, e.g. `extension_missing`.
	 * @param string $title What is wrong, one sentence.
	 * @param string $fix   What to do about it.
	 */
	public function __construct(
		public readonly string $code,
		public readonly string $title,
		public readonly string $fix
	) {
	}
}
