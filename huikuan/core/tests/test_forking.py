"""Work in a forked child beside this process (core.forking.results_in_child)."""

import os

import pytest

from huikuan.core import forking
from huikuan.testing.forks import counting_forks


def _square_noting_the_process(n: int) -> tuple[int, int]:
    if n < 0:
        raise ValueError(f"negative: {n}")
    return n * n, os.getpid()


def test_results_come_in_order_from_a_child():
    results = list(forking.results_in_child(_square_noting_the_process, [1, 2, 3, 4], apart=True))
    assert [value for value, _ in results] == [1, 4, 9, 16]
    assert {pid for _, pid in results} != {os.getpid()} and len({pid for _, pid in results}) == 1


def test_a_handed_exception_comes_in_its_result_s_place_and_the_rest_follow():
    results = list(forking.results_in_child(_square_noting_the_process, [2, -1, 3], handed=(ValueError,),
                                            apart=True))
    assert results[0][0] == 4 and results[2][0] == 9
    assert isinstance(results[1], ValueError) and str(results[1]) == "negative: -1"


def test_when_the_child_dies_the_rest_is_worked_out_here():
    parent = os.getpid()

    def dies_in_the_child_at_three(n: int) -> tuple[int, int]:
        if n == 3 and os.getpid() != parent:
            os._exit(7)  # the child vanishes (no exception, no message)
        return _square_noting_the_process(n)

    results = list(forking.results_in_child(dies_in_the_child_at_three, [1, 2, 3, 4], apart=True))
    assert [value for value, _ in results] == [1, 4, 9, 16]
    assert results[0][1] != parent and results[2][1] == results[3][1] == parent


def test_an_exception_not_handed_over_is_raised_here():
    with pytest.raises(ValueError, match="negative: -2"):
        list(forking.results_in_child(_square_noting_the_process, [1, -2, 3], apart=True))


def test_a_caller_that_stops_early_ends_the_child(monkeypatch):
    children = counting_forks(monkeypatch)
    results = forking.results_in_child(_square_noting_the_process, list(range(50)), apart=True)
    assert next(results)[0] == 0
    results.close()
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(children[0], 0)


def test_one_item_or_no_second_core_stays_here(monkeypatch):
    monkeypatch.setattr(forking.os, "fork", lambda: pytest.fail("forked"))
    assert [pid for _, pid in forking.results_in_child(_square_noting_the_process, [5])] == [os.getpid()]
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    assert [v for v, _ in forking.results_in_child(_square_noting_the_process, [1, 2, 3])] == [1, 4, 9]


def test_a_value_handed_down_reaches_the_producer_in_the_child():
    def produce(channel, skip):
        told = channel.take() if channel is not None else "nothing"
        for n in range(skip, 3):
            yield told, n, os.getpid()

    got = list(forking.values_in_child(produce, hand_down=lambda: "from the parent"))
    assert [(told, n) for told, n, _ in got] == [("from the parent", 0), ("from the parent", 1), ("from the parent", 2)]
    assert os.getpid() not in {pid for *_, pid in got}
