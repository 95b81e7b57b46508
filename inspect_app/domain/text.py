"""Free text typed on a phone: one normal form, and the characters that have no business in it."""

from __future__ import annotations

import unicodedata

#: control, format (e.g. right-to-left overrides), surrogate, private-use and unassigned characters
_HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn")


def normalise_text(text: str) -> str:
    """NFC, line ends unified to \\n, outer blank space trimmed."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def form_text(raw: str) -> tuple[str, bool]:
    """A form field as stored (``normalise_text``), and whether it must be refused for hidden characters."""
    if not raw:
        return "", False  # most remarks are left empty: nothing to normalise or look into
    text = normalise_text(raw)
    return text, has_hidden_chars(text)


def has_hidden_chars(text: str) -> bool:
    """Whether the text holds characters that can hide or reorder what a reader sees (newlines are fine)."""
    return any(unicodedata.category(ch) in _HIDDEN and ch != "\n" for ch in text)
