"""Java date patterns: what `transformDate` writes and reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connector.virtual import datefmt

MOMENT = datetime(2024, 3, 5, 14, 7, 9, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        pytest.param(
            "yyyy-MM-dd'T'HH:mm:ss'Z'", "2024-03-05T14:07:09Z", id="Cloud Elements' ISO mask"
        ),
        pytest.param("MM/dd/yyyy HH:mm:ss", "03/05/2024 14:07:09", id="US date and 24h time"),
        pytest.param("M/d/yy h:mm a", "3/5/24 2:07 PM", id="short forms and a 12h clock"),
        pytest.param("dd MMM yyyy", "05 Mar 2024", id="a short month name"),
        pytest.param("EEEE d MMMM yyyy", "Tuesday 5 March 2024", id="day and month names"),
        pytest.param(
            "yyyy-MM-dd HH:mm:ss.SSSXXX", "2024-03-05 14:07:09.123Z", id="millis and X zone"
        ),
        pytest.param("yyyyMMddHHmmssZ", "20240305140709+0000", id="no separators, Z offset"),
        pytest.param("'at' HH 'o''clock'", "at 14 o'clock", id="quoted literals and a quote"),
    ],
)
def test_formats_the_moment_as_the_pattern_says(pattern, text):
    assert datefmt.format_date(MOMENT, pattern) == text


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        pytest.param(
            "MM/dd/yyyy HH:mm:ss",
            "03/05/2024 14:07:09",
            datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC),
            id="a pattern without a zone reads UTC",
        ),
        pytest.param(
            "yyyy-MM-dd'T'HH:mm:ssXXX",
            "2024-03-05T09:07:09-05:00",
            datetime(2024, 3, 5, 9, 7, 9, tzinfo=timezone(timedelta(hours=-5))),
            id="an offset is kept",
        ),
        pytest.param(
            "M/d/yy h:mm a",
            "3/5/24 12:30 AM",
            datetime(2024, 3, 5, 0, 30, tzinfo=UTC),
            id="12 AM is midnight",
        ),
        pytest.param(
            "dd MMMM yyyy",
            "05 march 2024",
            datetime(2024, 3, 5, tzinfo=UTC),
            id="month names in any case",
        ),
    ],
)
def test_reads_text_written_in_the_pattern(pattern, text, expected):
    assert datefmt.parse_date(text, pattern) == expected


def test_text_that_does_not_fit_the_pattern_is_a_value_error():
    with pytest.raises(ValueError, match="does not match"):
        datefmt.parse_date("2024-03-05", "MM/dd/yyyy")


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        pytest.param("yyyy-ww", "letter 'w'", id="week numbers are not supported"),
        pytest.param("yyyy 'open", "never closed", id="an unclosed quote"),
    ],
)
def test_check_names_what_is_wrong_with_a_pattern(pattern, fragment):
    assert fragment in (datefmt.check(pattern) or "")


def test_a_valid_pattern_checks_clean():
    assert datefmt.check("yyyy-MM-dd") is None
