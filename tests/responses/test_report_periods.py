"""The reports' periods, percentiles and undecided outcomes (responses.report_periods)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from crisis import clocks
from responses import report_periods

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    "durations, share, expected",
    [
        ([], 0.5, None),
        ([10], 0.5, 10),
        ([10], 0.9, 10),
        ([10, 20], 0.5, 15),
        ([10, 20], 0.9, 19),
        ([30, 10, 20], 0.5, 20),
        ([120, 180, 600], 0.9, 516),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10),
    ],
)
def test_percentile_interpolates_between_the_nearest_ranks(durations, share, expected):
    result = report_periods.percentile([d * M for d in durations], share)
    assert result == (None if expected is None else expected * M)


@pytest.mark.parametrize(
    "start, end, refused",
    [
        (date(2026, 3, 1), date(2026, 3, 1), {}),
        (date(2016, 1, 1), date(2025, 12, 31), {}),  # ten years
        (date(2016, 1, 1), date(2026, 1, 2), {"end"}),
        (date(1926, 1, 1), date(2026, 1, 1), {"start"}),  # a hundred years
        (date(2026, 3, 2), date(2026, 3, 1), {"end"}),
        (date(1999, 12, 31), date(2000, 1, 5), {"start"}),
        (date(2026, 1, 1), date(2027, 4, 1), {"end"}),  # more than a year ahead
        (date(1, 1, 1), date(9999, 12, 31), {"start", "end"}),
    ],
)
def test_the_report_period_refusals(start, end, refused):
    assert set(report_periods.report_period_refusals(start, end, today=date(2026, 3, 14))) == set(
        refused
    )


def test_the_period_runs_from_the_first_local_midnight_to_the_one_after_the_end(settings):
    settings.TIME_ZONE = "Europe/Paris"
    begins, ends = report_periods.report_period_bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert begins == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    # Summer time began on 29 March: the period ends at 22:00 UTC on the 31st.
    assert ends == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


class Item:
    def __init__(self, status, due, done=None, created=T):
        self.status, self.due_at, self.completed_at, self.created_at = status, due, done, created
        self.dropped_at = T if status == "dropped" else None

    @property
    def is_unfinished(self):
        return self.status in ("open", "in_progress")


@pytest.mark.parametrize(
    "item, expected",
    [
        (Item("done", T + 60 * M, done=T + 60 * M), clocks.ON_TIME),
        (Item("done", T + 60 * M, done=T + 61 * M), clocks.LATE),
        (Item("done", None, done=T), clocks.ON_TIME),
        (Item("open", T + 60 * M), report_periods.OVERDUE_ITEM),
        (Item("in_progress", T + 99 * M), report_periods.OVERDUE_ITEM),
        (Item("in_progress", T + 100 * M), report_periods.PENDING),  # due this very minute
        (Item("in_progress", T + 200 * M), report_periods.PENDING),
        (Item("open", None), report_periods.PENDING),
        (Item("dropped", T + 60 * M), clocks.DROPPED),
    ],
)
def test_a_reported_action_item_tells_overdue_from_not_yet_due(item, expected):
    assert report_periods.action_item_report_outcome(item, now=T + 100 * M) == expected
