"""The validation table (tests/validation.py) as tests: every row agrees with its independent
value within its tolerance, and report/validation.md is exactly the table generated now."""

import pytest
import validation

FAST = [group for group, slow, _ in validation.GROUPS if not slow]
SLOW = [group for group, slow, _ in validation.GROUPS if slow]


def _check(group):
    rows = validation.rows_of(group)
    assert rows, f"{group.__name__} produced no rows"
    bad = [f"{r.quantity}: ours {r.ours}, independent {r.independent}, |difference| {r.error:.3g} > "
           f"tolerance {r.tolerance:g}" for r in rows if not r.agrees]
    assert not bad, "validation rows disagree:\n" + "\n".join(bad)


@pytest.mark.parametrize("group", FAST, ids=[g.__name__ for g in FAST])
def test_validation_rows_agree(group):
    _check(group)


@pytest.mark.slow
@pytest.mark.parametrize("group", SLOW, ids=[g.__name__ for g in SLOW])
def test_validation_rows_agree_slow(group):
    _check(group)


@pytest.mark.slow
def test_report_chapter_is_the_generated_table():
    fresh = validation.markdown(validation.sections())
    committed = validation.REPORT.read_text(encoding="utf-8") if validation.REPORT.exists() else ""
    assert committed == fresh, (
        f"{validation.REPORT} is not the table the code generates now; "
        "run `python tests/validation.py --write` and commit it"
    )


def test_a_disagreeing_row_fails_and_is_marked_in_the_chapter():
    row = validation.Row("x", "1.0", "1.1", "closed form", error=0.1, tolerance=0.01)
    assert not row.agrees
    assert not validation.Row("x", "nan", "1", "s", error=float("nan"), tolerance=1.0).agrees
    text = validation.markdown({"Test": [row]})
    assert "**NO**" in text and "1 do not" in text


def test_formatting_helpers():
    assert validation.sig(-64.99637933, 6) == "-64.9964"
    assert validation.sig(0.0529550868, 4) == "0.05296"
    assert validation.sig(2616.2, 4) == "2616"
    assert validation.bound(1.96e-7) == r"$\Delta < 10^{-6}$"
    assert validation.bound(3e-15) == r"$\Delta < 10^{-12}$"
    assert validation.bound(0.0) == r"$\Delta = 0$"
    # a bound looser than the tolerance the row meets would read as a failure: show the tolerance
    assert validation.bound(0.0046, 5e-3) == r"$\Delta \le 5 \times 10^{-3}$"
    assert validation.bound(1.96e-7, 1e-6) == r"$\Delta < 10^{-6}$"
    assert validation.power_of_ten(3e-4) == r"$3 \times 10^{-4}$"
    assert validation.power_of_ten(1e-9) == r"$10^{-9}$"
