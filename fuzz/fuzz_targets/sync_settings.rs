//! Sync settings, fed the JSON the plugin sends (`SyncSettings::from_json`).
//!
//! Contract: never panics; settings it accepts pass `validate()` and come back identical from
//! their own JSON (the plugin stores what the core returns); an error names a field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mirakl_connector::sync::SyncSettings;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match SyncSettings::from_json(text) {
        Ok(settings) => {
            assert_eq!(settings.validate(), Ok(()));
            let json = serde_json::to_string(&settings).expect("settings serialise");
            assert_eq!(
                SyncSettings::from_json(&json).as_ref(),
                Ok(&settings),
                "accepted settings do not read back from their own JSON: {json}"
            );
            let _ = settings.order_line_limit();
        }
        Err(error) => assert!(!error.field.is_empty()),
    }
});
