"""职工监督意见: what a miner may leave on a post's page. Short plain text, nothing else.

Markup is not refused (a miner may well type "<" or ">"): it is stored as typed and escaped when shown.
Control characters are refused: they have no business in a note and can hide text from the moderator.
"""

from __future__ import annotations

from .text import has_hidden_chars, normalise_text

MAX_CHARS = 300
MIN_CHARS = 2


class FeedbackRefused(ValueError):
    """``code``: empty, too_short, too_long, control_chars."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_feedback(text: str) -> str:
    """The note as it will be stored: NFC, line ends unified, outer blank space trimmed."""
    text = normalise_text(text)
    if not text:
        raise FeedbackRefused("empty")
    if len(text) > MAX_CHARS:
        raise FeedbackRefused("too_long")
    if has_hidden_chars(text):
        raise FeedbackRefused("control_chars")
    if len(text) < MIN_CHARS:
        raise FeedbackRefused("too_short")
    return text
