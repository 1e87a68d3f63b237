"""seed_scope(n): objects created inside draw from streams of seed n as
after seed(n), whatever seed() does outside; the script's seed is untouched."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import NeuronGroup, seed, start_scope
from nerve.core.seeding import seed_scope
from nerve.exceptions import SeedError


def draws(group=None):
    start_scope()
    G = group if group is not None else NeuronGroup(6, "v : 1")
    G.v = "rand()"
    return np.asarray(G.v).copy()


def test_objects_made_in_a_scope_draw_as_after_seed():
    seed(42)
    G1 = NeuronGroup(6, "v : 1")
    expected_first = draws(G1)
    expected_second = draws(G1)
    seed(7)
    with seed_scope(42):
        G2 = NeuronGroup(6, "v : 1")
        assert np.random.get_state()[1][0] == 42  # numpy seeded as by seed(42)
    seed(99)  # the scope's objects keep their streams
    np.testing.assert_array_equal(draws(G2), expected_first)
    np.testing.assert_array_equal(draws(G2), expected_second)


def test_the_scripts_streams_go_on_across_a_scope():
    seed(5)
    a = draws()
    b = draws()
    seed(5)
    a2 = draws()
    with seed_scope(1):
        NeuronGroup(3, "v : 1").v = "rand()"
        seed(3)  # reseeds the scope only
        inner = draws()
    np.testing.assert_array_equal(a2, a)
    np.testing.assert_array_equal(draws(), b)
    seed(3)
    np.testing.assert_array_equal(draws(), inner)


def test_scope_seeds_are_checked():
    with pytest.raises(SeedError, match="between 0 and 2\\*\\*32 - 1"):
        with seed_scope(2**32):
            pass
    with pytest.raises(TypeError, match="a seed is an integer"):
        with seed_scope(1.5):
            pass


def test_a_scope_belongs_to_its_thread():
    import threading

    seed(12)
    expected = draws()
    seed(12)
    made = {}
    with seed_scope(3):
        worker = threading.Thread(target=lambda: made.update(G=NeuronGroup(6, "v : 1")))
        worker.start()
        worker.join()
    # made in another thread while the scope was active: the script's streams
    np.testing.assert_array_equal(draws(made["G"]), expected)
