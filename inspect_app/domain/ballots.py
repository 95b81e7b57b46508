"""Anonymous scoring (无记名打分) with one-time ballot cards, and who may sign a signed round.

The anonymity model in code:

* a **card code** is 17 random symbols of a 31-letter alphabet (84 bits) plus one check symbol, printed in
  three groups of six; the server keeps only ``card_digest`` = HMAC(key, "card", code), so a database
  dump does not yield usable cards;
* a sheet is stored under its **nullifier** = HMAC(key, "sheet", code, round, post): the same card
  scoring the same post twice meets the same key (one sheet per card per post), while the nullifiers of one
  card on two posts share nothing that links them without the card itself;
* a sheet also keeps a **receipt** = HMAC(key, "receipt", submission id) while its round is open: a phone
  replaying the same submission is told "stored" (never its content or score), another sheet of the same card
  for the post is a conflict — decided without comparing contents, so an answer is never a content oracle;
* anonymous results are shown only as per-post aggregates that average at least ``MIN_KEPT_SHEETS`` sheets.

Nothing here knows Flask or the database; the key comes from configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from .codes import ALPHABET
from .enums import Role, RoundMode, RoundStatus

CARD_RANDOM_SYMBOLS = 17
CARD_SYMBOLS = CARD_RANDOM_SYMBOLS + 1
CARD_GROUP = 6
#: a published anonymous figure is a mean of at least this many sheets *after trimming*: with fewer it
#: would be one inspector's exact score (3 sheets, trimmed, leave the middle one), or an inspector who
#: knows their own score could work out another's (a mean of 2)
MIN_KEPT_SHEETS = 3


def anonymous_quorum(trim: bool) -> int:
    """Sheets an anonymous round needs to rate a post: 5 when the highest and lowest are dropped, else 3."""
    return MIN_KEPT_SHEETS + (2 if trim else 0)


#: the quorum of an anonymous round under the default rules (trimmed)
MIN_SHEETS = anonymous_quorum(True)
#: most cards one print run makes (an A4 sheet holds 10)
MAX_CARDS_PER_PRINT = 200


def card_bits() -> float:
    """Entropy of a card code in bits (≥ 80 is the promise)."""
    import math

    return CARD_RANDOM_SYMBOLS * math.log2(len(ALPHABET))


def _check_symbol(body: str) -> str:
    """Weighted sum modulo 31 (a prime): catches any one wrong symbol and any swap of two neighbours."""
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_card_code() -> str:
    return card_from_body("".join(secrets.choice(ALPHABET) for _ in range(CARD_RANDOM_SYMBOLS)))


def card_from_body(body: str) -> str:
    """A full code from 17 symbols of ``ALPHABET`` (the demo makes its printed cards this way)."""
    if len(body) != CARD_RANDOM_SYMBOLS or any(ch not in ALPHABET for ch in body):
        raise ValueError("a card body is 17 symbols of the code alphabet")
    return body + _check_symbol(body)


def format_card(code: str) -> str:
    """``ABCDEF-GHJKMN-PQRSTU``: three groups of six, as printed and as typed."""
    return "-".join(code[i : i + CARD_GROUP] for i in range(0, len(code), CARD_GROUP))


def normalise_card(text: str) -> str | None:
    """The canonical code a user typed or scanned (any case, spaces, dashes), or None if it cannot be one.

    Typos are caught here by the check symbol, before the server is asked.
    """
    code = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(code) != CARD_SYMBOLS or any(ch not in ALPHABET for ch in code):
        return None
    if _check_symbol(code[:-1]) != code[-1]:
        return None
    return code


def card_digest(key: bytes, code: str) -> bytes:
    """What the server stores for a card: a keyed hash, useless without the key and the printed card."""
    return hmac.new(key, b"card\x00" + code.encode(), hashlib.sha256).digest()


def nullifier(key: bytes, code: str, round_id: int, post_id: int) -> bytes:
    """The key of the one sheet a card may cast for a post in a round."""
    message = f"sheet\x00{code}\x00{round_id}\x00{post_id}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def receipt(key: bytes, submission_id: str) -> bytes:
    """What an open round keeps of a sheet's submission id: enough to recognise the phone's own replay."""
    return hmac.new(key, b"receipt\x00" + submission_id.encode(), hashlib.sha256).digest()


# --- rounds -------------------------------------------------------------------------------------------


class RoundAction(StrEnum):
    OPEN = "open"
    SEAL = "seal"  # 封箱: no more sheets; results are computed
    PUBLISH = "publish"  # results become public on the posts' pages


ROUND_STEPS: dict[tuple[RoundStatus, RoundAction], RoundStatus] = {
    (RoundStatus.DRAFT, RoundAction.OPEN): RoundStatus.OPEN,
    (RoundStatus.OPEN, RoundAction.SEAL): RoundStatus.SEALED,
    (RoundStatus.SEALED, RoundAction.PUBLISH): RoundStatus.PUBLISHED,
}


def round_step(status: RoundStatus, action: RoundAction) -> RoundStatus | None:
    """The status after ``action``, or None when the round cannot take it from ``status``."""
    return ROUND_STEPS.get((status, action))


def results_visible(status: RoundStatus, anonymous: bool) -> bool:
    """Scores of a round: signed rounds live; anonymous ones only once sealed (progress counts before)."""
    return not anonymous or status in (RoundStatus.SEALED, RoundStatus.PUBLISHED)


#: the department HR users belong to, as the five clarities name it (明确考核人)
HR_DEPARTMENT = "组织人事部"


@dataclass(frozen=True)
class Signer:
    """A logged-in assessor: role, unit (branch secretaries) and the names the clarities may use."""

    role: Role
    unit_id: int | None
    display_name: str
    unit_name: str = ""
    #: the signer's account, for a fix whose checker was picked from the accounts (by id, not by name)
    user_id: int | None = None


def may_sign(
    signer: Signer,
    post_unit_id: int,
    post_assessor: str,
    self_check_unit: int | None = None,
    inspecting_units: frozenset[int] | None = None,
) -> bool:
    """Whether ``signer`` may sign a sheet for a post in a signed round.

    A branch secretary signs the posts of their own unit (the monthly self-check, 月考核); HR signs posts
    whose assessor names the HR department (旬督导); anyone else only posts whose assessor names them.
    A unit's self-check (自查, ``self_check_unit``) is signed by that unit's people only, whatever the post
    names. In a mutual check (互查, ``inspecting_units``: the units assigned to the post's unit) the people of
    those units sign, and nobody else: not the post's own unit, not the staff.
    """
    if inspecting_units is not None:
        return signer.unit_id is not None and signer.unit_id in inspecting_units
    if self_check_unit is not None and signer.unit_id != self_check_unit:
        return False
    if signer.role == Role.BRANCH_SECRETARY:
        return signer.unit_id is not None and signer.unit_id == post_unit_id
    if signer.role == Role.HR and HR_DEPARTMENT in post_assessor:
        return True
    return _named(signer, post_assessor)


#: organisers above a unit: they may re-check any unit's fixes
ABOVE_UNITS = frozenset({Role.COMMITTEE, Role.HR})


def may_recheck(
    signer: Signer,
    checker: str,
    rect_unit_id: int,
    self_check_unit: int | None,
    checker_user_id: int | None = None,
) -> bool:
    """Whether ``signer`` may pass or fail a rectification (复查) at a signed check.

    Only its named checker (复查人) or an organiser above the unit (committee, HR) — and never in the unit's
    own self-check: a unit does not verify its own fix, whoever signs there. A checker picked from the
    accounts (``checker_user_id``) is that account alone; a checker written as free text is matched by name.
    """
    if self_check_unit is not None and self_check_unit == rect_unit_id:
        return False
    if signer.role in ABOVE_UNITS:
        return True
    if checker_user_id is not None:
        return signer.user_id is not None and signer.user_id == checker_user_id
    return _named(signer, checker)


def _named(signer: Signer, text: str) -> bool:
    """Whether ``text`` (an assessor or checker as the clarities write it) names the signer."""
    names = [part for part in signer.display_name.split() if len(part) >= 2]
    return bool(names) and names[-1] in text


def self_check_unit(mode: str, unit_id: int | None) -> int | None:
    """The unit whose self-check (自查) a round is, or None for a mutual or joint check."""
    return unit_id if mode == RoundMode.SELF and unit_id is not None else None
