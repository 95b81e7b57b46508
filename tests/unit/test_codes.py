from __future__ import annotations

from inspect_app.domain.codes import ALPHABET, POST_CODE_LENGTH, new_post_code, normalise_post_code


def test_new_codes_use_only_unambiguous_characters() -> None:
    codes = {new_post_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(len(c) == POST_CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OIL") & set(ALPHABET)


def test_typed_codes_are_forgiving_about_case_and_separators() -> None:
    assert normalise_post_code(" k7m-3q ") == "K7M3Q"
    assert normalise_post_code("K7M3") is None
    assert normalise_post_code("K7M30") is None  # 0 is never printed on a board
