/**
 * Mirakl connector admin screens: settings tabs (every section stays in the one form, so a save
 * covers all of them), the API key's replace action, carrier rows, and keeping the dashboard's
 * countdowns current. Plain JavaScript; the pages work without it.
 */
( function () {
	'use strict';
	document.documentElement.classList.add( 'js' );

	// Settings sections shown one at a time; a section with an error is shown first.
	var tabs = document.querySelectorAll( '.mirakl-tabs .nav-tab[data-section]' );
	var sections = document.querySelectorAll( '.mirakl-section' );
	function show( id ) {
		sections.forEach( function ( section ) {
			section.hidden = section.getAttribute( 'data-section' ) !== id;
		} );
		tabs.forEach( function ( tab ) {
			var active = tab.getAttribute( 'data-section' ) === id;
			tab.classList.toggle( 'nav-tab-active', active );
			tab.setAttribute( 'aria-current', active ? 'page' : 'false' );
		} );
	}
	if ( tabs.length && sections.length ) {
		var invalid = document.querySelector( '.mirakl-section .mirakl-invalid' );
		var fromHash = ( window.location.hash || '' ).replace( '#mirakl-section-', '' );
		var first = invalid ? invalid.closest( '.mirakl-section' ).getAttribute( 'data-section' )
			: ( document.getElementById( 'mirakl-section-' + fromHash ) ? fromHash : sections[ 0 ].getAttribute( 'data-section' ) );
		show( first );
		tabs.forEach( function ( tab ) {
			tab.addEventListener( 'click', function ( event ) {
				event.preventDefault();
				show( tab.getAttribute( 'data-section' ) );
				history.replaceState( null, '', '#mirakl-section-' + tab.getAttribute( 'data-section' ) );
			} );
		} );
		window.addEventListener( 'hashchange', function () {
			var id = ( window.location.hash || '' ).replace( '#mirakl-section-', '' );
			if ( document.getElementById( 'mirakl-section-' + id ) ) {
				show( id );
			}
		} );
		// Links in the error list open the section of the field.
		document.querySelectorAll( '.mirakl-error-list a' ).forEach( function ( link ) {
			link.addEventListener( 'click', function () {
				var target = document.querySelector( link.getAttribute( 'href' ) );
				var section = target && target.closest( '.mirakl-section' );
				if ( section ) {
					show( section.getAttribute( 'data-section' ) );
				}
			} );
		} );
	}

	// The stored key is never shown; "Replace key" reveals an empty field for a new one.
	document.querySelectorAll( '.mirakl-replace-secret' ).forEach( function ( button ) {
		button.addEventListener( 'click', function () {
			var input = document.getElementById( button.getAttribute( 'data-target' ) );
			if ( input ) {
				input.classList.remove( 'mirakl-secret-hidden' );
				input.focus();
				button.hidden = true;
			}
		} );
	} );

	// Carrier rows: add and remove.
	document.querySelectorAll( '.mirakl-add-row' ).forEach( function ( button ) {
		button.addEventListener( 'click', function () {
			var body = document.querySelector( '#' + button.getAttribute( 'data-table' ) + ' tbody' );
			var rows = body ? body.querySelectorAll( 'tr' ) : [];
			if ( ! rows.length ) {
				return;
			}
			var row = rows[ rows.length - 1 ].cloneNode( true );
			row.querySelectorAll( 'input' ).forEach( function ( input ) { input.value = ''; } );
			row.querySelectorAll( 'select' ).forEach( function ( select ) { select.selectedIndex = 0; } );
			body.appendChild( row );
			var name = row.querySelector( 'input' );
			if ( name ) {
				name.focus();
			}
		} );
	} );
	document.addEventListener( 'click', function ( event ) {
		var button = event.target.closest && event.target.closest( '.mirakl-remove-row' );
		if ( ! button ) {
			return;
		}
		var row = button.closest( 'tr' );
		row.querySelectorAll( 'input' ).forEach( function ( input ) { input.value = ''; } );
		row.querySelectorAll( 'select' ).forEach( function ( select ) { select.selectedIndex = 0; } );
		if ( row.parentNode.querySelectorAll( 'tr' ).length > 1 ) {
			row.parentNode.removeChild( row );
		}
	} );

	// Resolving closes a problem for good: ask first.
	document.querySelectorAll( '.mirakl-resolve' ).forEach( function ( button ) {
		button.addEventListener( 'click', function ( event ) {
			if ( ! window.confirm( button.getAttribute( 'data-confirm' ) || 'Close this problem without running anything again?' ) ) {
				event.preventDefault();
			}
		} );
	} );
}() );
