//! SMS segments against Twilio's own segment calculator: `fixtures/segment_vectors.tsv` holds
//! what the npm `sms-segments-calculator` answers for each text (regenerate with
//! `scripts/reference/segment_vectors.js`). Peerline's count decides whether a message fits
//! `sms.max_segments`, so counting fewer than Twilio bills would let a costlier message through.

use peerline_core::sms::segments;

#[test]
fn peerline_counts_segments_and_encodings_as_twilio_does() {
    let fixture = include_str!("fixtures/segment_vectors.tsv");
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut cols = line.split('\t');
        let (Some(json), Some(encoding), Some(count)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("bad fixture line {line:?}");
        };
        let text: String = serde_json::from_str(json).expect("JSON text");
        let count: u32 = count.parse().expect("count");
        let ours = segments(&text);
        let our_encoding = if ours.gsm7 { "GSM-7" } else { "UCS-2" };
        if ours.parts != count || our_encoding != encoding {
            disagreements.push(format!(
                "{json}: Twilio {encoding} {count}, Peerline {our_encoding} {}",
                ours.parts
            ));
        }
        checked += 1;
    }
    println!(
        "{checked} texts compared with Twilio's segment calculator; {} disagreements",
        disagreements.len()
    );
    assert!(checked >= 25);
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
