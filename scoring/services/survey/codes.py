"""Slip codes: made, normalised, hashed (docs/survey.md, A1 and A11).

A code is 10 characters from `secrets` over an alphabet without 0/O/1/I/L, printed in
groups (ABCD-EFGH-JK) and read in any case, with or without dashes or spaces. Only its
keyed hash is stored (`Slip.code_hash`).
"""

import hashlib
import hmac
import secrets

from django.conf import settings

#: No 0/O/1/I/L: a code read aloud or typed from paper cannot be mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper case, without spaces or dashes (as printed: ABCD-EFGH-JK)."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCDEFGHJK → ABCD-EFGH-JK, for print."""
    code = normalise_code(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def looks_like_code(code: str) -> bool:
    code = normalise_code(code)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def _keyed(text: str) -> str:
    return hmac.new(settings.SLIP_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def hash_code(code: str) -> str:
    """The keyed hash stored for a slip (HMAC-SHA256 with settings.SLIP_HASH_KEY)."""
    return _keyed(normalise_code(code))


def paper_hash(code: str) -> str:
    """The keyed hash a waiting paper entry is stored under (A15): another derivation than
    the slip's, so that a waiting entry cannot be joined to its slip row."""
    return _keyed(f"paper:{normalise_code(code)}")


def teller_tag(user, entry_hash: str) -> str:
    """A keyed tag of the teller who made a paper entry, bound to that entry (A15): it
    tells whether the second teller is the first, and is no user reference."""
    return _keyed(f"teller:{entry_hash}:{user.pk}")
