"""Rate and Cron schedule expressions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalice import Cron, Rate


@given(
    st.integers(min_value=1, max_value=10_000),
    st.sampled_from([Rate.MINUTES, Rate.HOURS, Rate.DAYS]),
)
def test_rate_rendering(value: int, unit: str) -> None:
    text = Rate(value, unit=unit).to_string()
    word = unit.lower() if value != 1 else unit.lower()[:-1]
    assert text == f"rate({value} {word})"
    assert Rate(value, unit) == Rate(value, unit)


@pytest.mark.parametrize(
    "value,unit",
    [
        (0, Rate.MINUTES),
        (-1, Rate.HOURS),
        (1.5, Rate.DAYS),
        (True, Rate.DAYS),
        (1, "WEEKS"),
        (1, "minutes"),
    ],
)
def test_rate_rejects_bad_values(value: object, unit: str) -> None:
    with pytest.raises(ValueError):
        Rate(value, unit)  # type: ignore[arg-type]


_field = st.one_of(
    st.integers(min_value=0, max_value=59),
    st.text(alphabet="0123456789*?/,-LW#MONTUEFRI", min_size=1, max_size=8),
)


@given(st.tuples(_field, _field, _field, _field, _field, _field))
def test_cron_rendering(fields: tuple[str | int, ...]) -> None:
    expression = Cron(*fields).to_string()
    assert expression == "cron(" + " ".join(str(f) for f in fields) + ")"
    assert len(expression[5:-1].split(" ")) == 6


def test_cron_examples_and_errors() -> None:
    assert Cron(0, 10, "*", "*", "?", "*").to_string() == "cron(0 10 * * ? *)"
    assert str(Cron("0/15", "*", "?", "*", "MON-FRI", "*")) == "cron(0/15 * ? * MON-FRI *)"
    with pytest.raises(ValueError):
        Cron("0 1", "*", "*", "*", "?", "*")
    with pytest.raises(ValueError):
        Cron("", "*", "*", "*", "?", "*")
    with pytest.raises(ValueError):
        Cron(None, "*", "*", "*", "?", "*")  # type: ignore[arg-type]
