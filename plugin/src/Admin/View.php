<?php
/**
 * Templates: the HTML of the admin screens lives in plugin/views/, one file per screen or section.
 * A controller gathers what a screen shows and hands it over as a small array; the template only
 * escapes and prints. Names are checked against a fixed pattern and resolved inside views/ only.
 *
 * @package MiraklConnector
 */

namespace MiraklConnector\Admin;

defined( 'ABSPATH' ) || exit;

/**
 * Renders one template from plugin/views/; the template reads what it is given from $args only.
 */
final class View {

	/** A template name: lowercase words and dashes, optionally one folder deep ("dashboard/html-problems"). */
	private const NAME = '#^[a-z0-9-]+(?:/[a-z0-9-]+)?$#D';

	/**
	 * The folder holding the templates, with a trailing slash.
	 */
	public static function directory(): string {
		return dirname( __DIR__, 2 ) . '/views/';
	}

	/**
	 * Prints a template.
	 *
	 * @param string $name Template name without ".php", e.g. "html-admin-dashboard".
	 * @param array  $args What the template prints, by name.
	 * @throws \InvalidArgumentException For a name outside views/ or a template that does not exist.
	 */
	public static function render( string $name, array $args = array() ): void {
		$file = self::path( $name );
		// A static closure: the template sees $args (as WordPress's get_template_part() passes
		// them) and nothing of this class or its caller.
		( static function ( array $args ): void {
			require func_get_arg( 1 );
		} )( $args, $file );
	}

	/**
	 * A template's output as a string.
	 *
	 * @param string $name Template name.
	 * @param array  $args What the template prints, by name.
	 */
	public static function html( string $name, array $args = array() ): string {
		ob_start();
		try {
			self::render( $name, $args );
		} finally {
			$html = (string) ob_get_clean();
		}
		return $html;
	}

	/**
	 * The file of a template, inside views/ only.
	 *
	 * @param string $name Template name.
	 * @throws \InvalidArgumentException For a name outside views/ or a template that does not exist.
	 */
	private static function path( string $name ): string {
		if ( ! preg_match( self::NAME, $name ) ) {
			throw new \InvalidArgumentException( 'Not a template name.' );
		}
		$file = self::directory() . $name . '.php';
		if ( ! is_file( $file ) ) {
			throw new \InvalidArgumentException( 'No such template.' );
		}
		return $file;
	}
}
