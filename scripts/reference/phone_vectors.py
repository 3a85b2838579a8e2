#!/usr/bin/env python3
"""Regenerate core/tests/fixtures/phone_vectors.tsv from Google's libphonenumber (the
`phonenumbers` Python port, pinned below), the reference Peerline's phone parsing is tested
against. Run: pip install phonenumbers==8.13.52 && scripts/reference/phone_vectors.py

Each row: the input as typed, then the reference's verdict parsing it with the UK as the default
region: the E.164 form when it is a valid number, or "-" when it is not.
"""
import pathlib

import phonenumbers

INPUTS = [
    # UK mobiles and landlines, national and international forms
    "07911 123456", "07911123456", "+44 7911 123456", "0044 7911 123456", "(07911) 123-456",
    "020 7946 0123", "0113 496 0123", "0161 496 0000", "029 2018 0123", "028 9649 6123",
    "0131 496 0123", "0141 496 0123", "01632 960123", "0800 123 4567", "0300 123 6600",
    "0808 808 2234", "0808 164 0123", "116 123", "0345 000 1234",
    # numbers that are not: wrong length, unallocated, foreign without their code
    "0791 112345", "04000 000000", "06123 456789", "123456789", "512 345 678",
    "087 123 4567", "(415) 555-2671", "07911 12345", "07911 1234567", "0207 946 012",
    "+44 12", "+44 7911", "0000 000000",
    # foreign numbers in international form
    "+48 512 345 678", "+48 22 123 45 67", "+353 87 123 4567", "+1 415 555 2671",
    "+49 1512 3456789", "+33 6 12 34 56 78",
    # Ofcom's drama range for mobiles (unallocated to libphonenumber)
    "07700 900123", "07700 900000", "07700 900999", "07700 901000",
]


def main():
    rows = []
    for s in INPUTS:
        try:
            n = phonenumbers.parse(s, "GB")
            ok = phonenumbers.is_valid_number(n)
            verdict = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) if ok else "-"
        except phonenumbers.NumberParseException:
            verdict = "-"
        rows.append(f"{s}\t{verdict}")
    out = pathlib.Path(__file__).resolve().parents[2] / "core/tests/fixtures/phone_vectors.tsv"
    header = f"# libphonenumber (phonenumbers {phonenumbers.__version__}), default region GB; regenerate with scripts/reference/phone_vectors.py\n"
    out.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} vectors -> {out}")


if __name__ == "__main__":
    main()
