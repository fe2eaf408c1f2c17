"""Keyed hashes and the anonymous reporter's receipt code.

Nothing stored can reproduce a receipt code or a submission token: the
database keeps HMAC digests keyed with SECRET_KEY only.
"""
import secrets
import uuid

from django.utils.crypto import salted_hmac

from incidents.models import Incident, ReceiptCode


def _digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 keyed with SECRET_KEY: without the key a stored digest says
    nothing, and with it one can only check a guess, never read the value."""
    return salted_hmac(f"varn.reporting.{purpose}", value, algorithm="sha256").hexdigest()


# Crockford's base32: no I, L, O or U, so nothing is mistaken when typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS, CODE_GROUP_LEN = 4, 4   # 16 symbols = 80 bits
_CODE_LEN = CODE_GROUPS * CODE_GROUP_LEN
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def receipt_code_for(token: uuid.UUID) -> str:
    """The receipt code that belongs to a submission token. Derived with the
    secret key from the token, which only the reporter's browser holds (the
    database keeps a digest of it), so a retried submission can show the same
    code again while nothing stored can reproduce it."""
    raw = salted_hmac("varn.reporting.receipt-code", str(token), algorithm="sha256").digest()
    number = int.from_bytes(raw[:10], "big")  # 80 bits
    symbols = []
    for _i in range(_CODE_LEN):
        number, rest = divmod(number, 32)
        symbols.append(CODE_ALPHABET[rest])
    code = "".join(symbols)
    return "-".join(code[i:i + CODE_GROUP_LEN] for i in range(0, _CODE_LEN, CODE_GROUP_LEN))


def normalise_code(text: str) -> str | None:
    """The code as typed (any case, spaces, dashes, O for 0 …) in canonical
    form, or None when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    compact = "".join(ch for ch in text.upper() if ch not in " -–_.\t\n\r").translate(_CONFUSABLE)
    if len(compact) != _CODE_LEN or any(ch not in CODE_ALPHABET for ch in compact):
        return None
    return "-".join(compact[i:i + CODE_GROUP_LEN] for i in range(0, _CODE_LEN, CODE_GROUP_LEN))


def incident_for_code(text: str) -> Incident | None:
    """The anonymous report a receipt code opens, or None. A wrong code and a
    code that never existed are indistinguishable to the caller."""
    code = normalise_code(text)
    digest = _digest("receipt-lookup", code or secrets.token_hex(8))
    found = ReceiptCode.objects.filter(digest=digest).select_related("incident").first()
    if code is None or found is None:
        return None
    return found.incident
