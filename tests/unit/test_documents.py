"""公文 rules (GB/T 9704-2012): numbers, dates, section numerals, the closing's offsets, line breaking."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_app.documents.pdf import wrap
from inspect_app.domain.documents import (
    closing_offsets,
    document_number,
    section_number,
    text_width,
    written_date,
)


def test_numbers_and_dates_are_written_as_the_standard_wants() -> None:
    assert document_number("矿党发", 2026, 3) == "矿党发〔2026〕3号"
    assert document_number("", 2027, 12) == "〔2027〕12号"
    assert written_date(date(2026, 1, 5)) == "2026年1月5日"  # no zero padding


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一、"), (9, "九、"), (10, "十、"), (11, "十一、"), (20, "二十、"), (35, "三十五、")]
)
def test_section_numerals(n: int, text: str) -> None:
    assert section_number(n) == text


def test_the_date_starts_two_characters_right_of_the_signature() -> None:
    signer, dated = text_width("中共采矿公司委员会"), text_width("2026年12月4日")
    assert dated == 6.5
    signer_right, date_right = closing_offsets(signer, dated)
    assert signer_right == 2
    assert (date_right + dated) == (signer_right + signer) - 2  # starts 2 characters further right
    # a short signer and a long date: the date ends 2 from the right, the signer moves left
    signer_right, date_right = closing_offsets(4, dated)
    assert date_right == 2
    assert (signer_right + 4) - (date_right + dated) == 2


def test_lines_never_start_with_a_closing_mark_or_end_with_an_opening_one() -> None:
    def measure(text: str) -> float:
        return text_width(text)

    lines = wrap("一二三四五。六七八（九十）", 5, measure)
    assert "".join(lines) == "一二三四五。六七八（九十）"
    assert all(line[0] not in "。）" and line[-1] != "（" for line in lines)
    assert all(measure(line) <= 5 for line in lines)
    assert lines[0] == "一二三四"  # 五 went down with the full stop
    assert wrap("", 5, measure) == [""]
