//! ST01: the shipment request serialises to the documented shape; partial success parses.

mod mirakl_support;

use mirakl_connector::mirakl::shipments::{self, NewShipment, ShipmentsResult};
use mirakl_connector::mirakl::{ApiCode, Method};
use mirakl_support::{fixture, fixture_json, json_body, normalise};

#[test]
fn st01_request_round_trips_the_documented_example() {
    let example = fixture_json("ST01_create_shipments_request.json");
    let shipments: Vec<NewShipment> =
        serde_json::from_value(example["shipments"].clone()).expect("example reads as shipments");
    assert_eq!(shipments.len(), 2);
    assert!(
        shipments[1].shipment_additional_information.is_empty(),
        "null reads as empty"
    );

    let request = shipments::create(&shipments);
    assert_eq!(request.api, ApiCode::ST01);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.path, "/shipments");
    assert_eq!(normalise(&json_body(&request)), normalise(&example));
}

#[test]
fn st01_response_keeps_successes_and_errors() {
    let result: ShipmentsResult =
        serde_json::from_str(&fixture("ST01_create_shipments_response.json")).expect("ST01 parses");
    assert!(!result.shipment_success.is_empty());
    assert_eq!(
        result.shipment_success[0].id,
        "f40bf65e-a320-41d3-878c-36ce9e1144ce"
    );
    assert_eq!(result.shipment_success[0].order_id, "ORDER_01-A");
    assert_eq!(
        result.shipment_success[0].status.as_deref(),
        Some("SHIPPING")
    );
    assert_eq!(result.shipment_success[0].shipment_lines[1].quantity, 3);
    assert_eq!(result.shipment_errors.len(), 2);
    assert_eq!(
        result.shipment_errors[1].order_id.as_deref(),
        Some("7263625-A")
    );
    assert_eq!(
        result.shipment_errors[1].message.as_deref(),
        Some("Shipment quantity is invalid.")
    );
}
