"""Ballot cards, nullifiers, round steps and who may sign: the pure rules of anonymous scoring."""

from __future__ import annotations

import itertools

import pytest

from inspect_app.domain.ballots import (
    CARD_SYMBOLS,
    MIN_SHEETS,
    RoundAction,
    Signer,
    anonymous_quorum,
    card_bits,
    card_digest,
    format_card,
    may_recheck,
    may_sign,
    new_card_code,
    normalise_card,
    nullifier,
    results_visible,
    round_step,
    self_check_unit,
)
from inspect_app.domain.codes import ALPHABET
from inspect_app.domain.enums import Role, RoundStatus

KEY = b"k" * 32


def test_card_codes_carry_at_least_80_random_bits_and_differ() -> None:
    assert card_bits() >= 80
    codes = {new_card_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == CARD_SYMBOLS and set(c) <= set(ALPHABET) for c in codes)


def test_card_is_printed_in_three_groups_and_read_back_however_typed() -> None:
    code = new_card_code()
    printed = format_card(code)
    assert [len(g) for g in printed.split("-")] == [6, 6, 6]
    assert normalise_card(printed) == code
    assert normalise_card(" " + printed.lower().replace("-", " ") + " ") == code


def test_every_single_typo_and_neighbour_swap_is_caught() -> None:
    code = new_card_code()
    for i, wrong in itertools.product(range(CARD_SYMBOLS), ALPHABET):
        if wrong != code[i]:
            assert normalise_card(code[:i] + wrong + code[i + 1 :]) is None
    for i in range(CARD_SYMBOLS - 1):
        if code[i] != code[i + 1]:
            assert normalise_card(code[:i] + code[i + 1] + code[i] + code[i + 2 :]) is None


@pytest.mark.parametrize("text", ["", "ABC", "0" * 18, "O" * 18, new_card_code() + "A"])
def test_what_cannot_be_a_card_is_refused(text: str) -> None:
    assert normalise_card(text) is None


def test_nullifier_is_one_per_card_round_and_post_and_needs_the_key() -> None:
    a, b = new_card_code(), new_card_code()
    assert nullifier(KEY, a, 1, 7) == nullifier(KEY, a, 1, 7)
    keys = {nullifier(KEY, card, r, p) for card in (a, b) for r in (1, 2) for p in (7, 8)}
    assert len(keys) == 8
    assert nullifier(b"other" * 7, a, 1, 7) != nullifier(KEY, a, 1, 7)
    assert card_digest(KEY, a) not in keys  # what is stored for the card never equals a sheet key
    assert len(card_digest(KEY, a)) == 32


def test_anonymous_results_need_their_quorum_and_a_sealed_round() -> None:
    assert MIN_SHEETS == 5  # trimmed: 3 sheets remain, so no published figure is one inspector's score
    assert anonymous_quorum(trim=False) == 3
    assert not results_visible(RoundStatus.OPEN, anonymous=True)
    assert results_visible(RoundStatus.SEALED, anonymous=True)
    assert results_visible(RoundStatus.OPEN, anonymous=False)


def test_rounds_go_draft_open_sealed_published_and_never_back() -> None:
    expected = {
        (RoundStatus.DRAFT, RoundAction.OPEN): RoundStatus.OPEN,
        (RoundStatus.OPEN, RoundAction.SEAL): RoundStatus.SEALED,
        (RoundStatus.SEALED, RoundAction.PUBLISH): RoundStatus.PUBLISHED,
    }
    for status, action in itertools.product(RoundStatus, RoundAction):
        assert round_step(status, action) == expected.get((status, action))


@pytest.mark.parametrize(
    ("signer", "unit", "assessor", "allowed"),
    [
        (Signer(Role.BRANCH_SECRETARY, 1, "综采一区党支部书记"), 1, "党委组织人事部 王建华", True),
        (Signer(Role.BRANCH_SECRETARY, 1, "综采一区党支部书记"), 2, "综采一区党支部书记 李明", False),
        (Signer(Role.HR, None, "组织人事部 李卫东"), 2, "党委组织人事部 王建华", True),
        (Signer(Role.HR, None, "组织人事部 李卫东"), 2, "掘进一区党支部书记 马振东", False),
        (Signer(Role.INSPECTOR, None, "检查员 刘志刚"), 2, "掘进一区党支部书记 马振东", False),
        (Signer(Role.INSPECTOR, None, "检查员 刘志刚"), 2, "安监处 刘志刚", True),
        (Signer(Role.COMMITTEE, None, "党委书记 赵国强"), 2, "", False),
    ],
)
def test_signed_rounds_admit_the_assessor_the_post_names(
    signer: Signer, unit: int, assessor: str, allowed: bool
) -> None:
    assert may_sign(signer, unit, assessor) is allowed


SECRETARY_1 = Signer(Role.BRANCH_SECRETARY, 1, "综采一区党支部书记 李明")
SECRETARY_2 = Signer(Role.BRANCH_SECRETARY, 2, "掘进一区党支部书记 马振东")
HR_USER = Signer(Role.HR, None, "组织人事部 李卫东")
COMMITTEE_USER = Signer(Role.COMMITTEE, None, "党委书记 赵国强")
INSPECTOR = Signer(Role.INSPECTOR, None, "检查员 刘志刚")


@pytest.mark.parametrize(
    ("signer", "post_unit", "assessor", "self_check", "allowed"),
    [
        (SECRETARY_1, 1, "综采一区党支部书记", 1, True),  # the unit checks itself
        (SECRETARY_2, 1, "综采一区党支部书记 马振东", 1, False),  # another unit's self-check
        (HR_USER, 1, "党委组织人事部 王建华", 1, False),  # HR signed into unit 1's self-check once
        (HR_USER, 1, "党委组织人事部 王建华", None, True),  # … its ten-day supervision is fine
        (INSPECTOR, 1, "安监处 刘志刚", 1, False),
        (INSPECTOR, 1, "安监处 刘志刚", None, True),
    ],
)
def test_a_self_check_is_signed_by_its_own_units_people_only(
    signer: Signer, post_unit: int, assessor: str, self_check: int | None, allowed: bool
) -> None:
    assert may_sign(signer, post_unit, assessor, self_check) is allowed


@pytest.mark.parametrize(
    ("signer", "checker", "rect_unit", "self_check", "allowed"),
    [
        (SECRETARY_1, "安监处 刘志刚", 1, 1, False),  # closed his own unit's fix in its self-check once
        (SECRETARY_1, "综采一区党支部书记 李明", 1, 1, False),  # even when named: never the unit itself
        (SECRETARY_1, "安监处 刘志刚", 1, None, False),  # not named, not above the unit
        (SECRETARY_2, "掘进一区党支部书记 马振东", 1, None, True),  # named checker from another unit
        (SECRETARY_2, "掘进一区党支部书记 马振东", 1, 2, True),  # … in his own unit's self-check
        (INSPECTOR, "安监处 刘志刚", 1, None, True),  # the named checker
        (INSPECTOR, "安监处 王强", 1, None, False),
        (HR_USER, "安监处 刘志刚", 1, None, True),  # an organiser above the unit
        (COMMITTEE_USER, "安监处 刘志刚", 1, None, True),
        (COMMITTEE_USER, "安监处 刘志刚", 1, 1, False),  # not inside the unit's own self-check
    ],
)
def test_a_fix_is_rechecked_by_its_named_checker_or_above_the_unit_never_by_the_unit(
    signer: Signer, checker: str, rect_unit: int, self_check: int | None, allowed: bool
) -> None:
    assert may_recheck(signer, checker, rect_unit, self_check) is allowed


def test_only_a_self_check_round_names_a_unit() -> None:
    assert self_check_unit("self", 3) == 3
    assert self_check_unit("self", None) is None
    assert self_check_unit("joint", 3) is None
    assert self_check_unit("mutual", 3) is None
