"""The bounded cache behind the answer, match-set and score caches."""

from search.lru import BoundedCache


def test_least_recently_used_goes_first_and_zero_keeps_nothing():
    made: list[str] = []

    def maker(key):
        return lambda: made.append(key) or key.upper()

    cache = BoundedCache(2)
    assert [cache.get(k, maker(k)) for k in ("a", "b", "a", "c", "b", "a")] == list("ABACBA")
    assert made == ["a", "b", "c", "b", "a"]  # "a" reused once; "b" then "a" evicted in turn

    nothing = BoundedCache(0)
    nothing.get("x", maker("x"))
    nothing.get("x", maker("x"))
    assert made[-2:] == ["x", "x"]
