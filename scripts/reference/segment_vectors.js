#!/usr/bin/env node
// Regenerate core/tests/fixtures/segment_vectors.tsv from Twilio's segment calculator (npm
// `sms-segments-calculator`), the reference for how many SMS segments a text costs.
// Run: npm install sms-segments-calculator@1 && node scripts/reference/segment_vectors.js
const fs = require("fs");
const path = require("path");
const { SegmentedMessage } = require("sms-segments-calculator");

const family = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}";
const flag = "\u{1F1EC}\u{1F1E7}";
const cases = [
  "Hello",
  "a".repeat(160),
  "a".repeat(161),
  "a".repeat(306),
  "a".repeat(307),
  "€".repeat(80),
  "€".repeat(81),
  "a".repeat(152) + "€" + "a".repeat(10),
  "a".repeat(152) + "€€" + "a".repeat(10),
  "Reply {YES} or [NO] ~ 100% €",
  "ł".repeat(70),
  "ł".repeat(71),
  "ł".repeat(134),
  "ł".repeat(135),
  "It\u2019s fine",
  "x".repeat(66) + family + "y".repeat(10),
  "x".repeat(65) + family + "y".repeat(10),
  family.repeat(20),
  "x".repeat(66) + flag + "y".repeat(10),
  "x".repeat(66) + "\u{1F600}" + "y".repeat(10),
  "Sut wyt ti? \u0175 " + "a".repeat(80),
  "Dziękujemy za wiadomość, Ania. Trafiła do zespołu Camden. Biuro jest teraz zamknięte; ktoś przeczyta ją od pon. 7 gru, 09:00. Jeśli grozi Ci niebezpieczeństwo, dzwoń pod 999 lub 112.",
  "Thanks for your message, Jo. It is with the team at Camden. The office is closed now; someone will read it from Mon 7 Dec, 09:00. If you are in danger now, call 999. Samaritans: 116 123 (free, any time). Text SHOUT to 85258. NHS 111, option 2 for mental health.",
  "e\u0301".repeat(40),
  // A cluster straddling the 67-unit boundary, in a text that would fit two parts if split
  // anywhere: the calculator moves the whole cluster, so three parts.
  "x".repeat(60) + family + "y".repeat(60),
  "x".repeat(62) + flag + "y".repeat(68),
  "x".repeat(66) + "\u{1F600}" + "y".repeat(66),
  "x".repeat(64) + "\u{1F44D}\u{1F3FD}" + "y".repeat(64),
  "x".repeat(66) + "e\u0301" + "y".repeat(10),
];

const rows = cases.map((text) => {
  const m = new SegmentedMessage(text);
  return `${JSON.stringify(text)}\t${m.encodingName}\t${m.segmentsCount}`;
});
const out = path.resolve(__dirname, "../../core/tests/fixtures/segment_vectors.tsv");
const version = require("sms-segments-calculator/package.json").version;
fs.writeFileSync(
  out,
  `# Twilio's sms-segments-calculator ${version}: JSON text, encoding, segments; regenerate with scripts/reference/segment_vectors.js\n` +
    rows.join("\n") + "\n",
);
console.log(`${rows.length} vectors -> ${out}`);
