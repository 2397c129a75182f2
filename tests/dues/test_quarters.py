import datetime

import pytest

from chunshu_union.quarters import Quarter, quarter_range


def test_a_quarter_reads_and_writes_as_2017q3():
    q = Quarter.parse("2017Q3")
    assert (str(q), q.first_day, q.last_day) == (
        "2017Q3",
        datetime.date(2017, 7, 1),
        datetime.date(2017, 9, 30),
    )
    assert Quarter.parse(" 2017q3 ") == q


@pytest.mark.parametrize("bad", ["2017Q5", "17-3", "2017Q0", "", "2017", "2017Q3x"])
def test_bad_quarters_are_refused_with_a_chinese_message(bad):
    with pytest.raises(ValueError, match="季度"):
        Quarter.parse(bad)


def test_neighbours_ordering_and_ranges():
    q4 = Quarter(2016, 4)
    assert q4.next() == Quarter(2017, 1) and Quarter(2017, 1).previous() == q4
    assert Quarter.containing(datetime.date(2017, 3, 31)) == Quarter(2017, 1)
    assert sorted([Quarter(2017, 1), q4]) == [q4, Quarter(2017, 1)]
    assert [str(q) for q in quarter_range(Quarter(2016, 3), Quarter(2017, 1))] == [
        "2016Q3",
        "2016Q4",
        "2017Q1",
    ]
    assert Quarter(2017, 3).last_n(2) == [Quarter(2017, 2), Quarter(2017, 3)]
    assert Quarter.last_complete(datetime.date(2017, 1, 5)) == q4
