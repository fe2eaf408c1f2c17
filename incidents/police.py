"""The police report's number (K-nummer), written one way everywhere.

People write a K-number as it comes: "K123456-26", "k-123456-26",
"K 123 456 - 26", with an en dash from a phone's keyboard, sometimes with the
police region's code in front ("5000-K1234567-25"). Värn stores it as the
police print it: an upper-case K, the digits, a hyphen and the two-digit year
("K123456-26"), with the region code kept in front when it was given.
"""
import re

# After spaces are removed and dashes folded to "-".
_SHAPE = re.compile(r"^(?:(\d{4})-)?K-?(\d{2,10})-(\d{2})$", re.IGNORECASE)
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2212": "-"})


def normalise_k_number(value: str) -> str | None:
    """The K-number in its stored form, "" for an empty value, or None when
    the value does not look like a K-number."""
    compact = re.sub(r"\s+", "", (value or "").translate(_DASHES))
    if not compact:
        return ""
    match = _SHAPE.match(compact)
    if not match:
        return None
    region, number, year = match.groups()
    return (f"{region}-" if region else "") + f"K{number}-{year}"
