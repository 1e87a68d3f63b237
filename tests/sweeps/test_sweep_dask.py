"""nerve.sweep on a Dask LocalCluster of worker processes gives what the
serial sweep gives; failures come back with their parameter sets."""

from __future__ import annotations

import numpy as np
import pytest

import nerve
from nerve import Hz, NeuronGroup, PoissonGroup, SpikeMonitor, StateMonitor, Synapses, ms

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def tutorial_lif(tau, weight=0.1):
    """Tutorial part 3's neuron driven by 100 Poisson inputs, plus noise."""
    P = PoissonGroup(100, rates=10 * Hz)
    G = NeuronGroup(1, "dv/dt = -v/tau + 0.05*xi/sqrt(tau) : 1", threshold="v>1",
                    reset="v=0", method="euler")
    S = Synapses(P, G, on_pre="v += weight")
    S.connect()
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=0)
    if tau > 9.5 * ms and weight > 0.3:
        raise ValueError("this parameter set is refused")
    return {"M": M, "V": V}


TABLE = nerve.grid(tau=np.linspace(1, 10, 6) * ms, weight=[0.1, 0.2])


def test_a_local_cluster_gives_the_serial_sweeps_numbers(client):
    serial = nerve.sweep(tutorial_lif, TABLE, 100 * ms, seed=21)
    remote = nerve.sweep(tutorial_lif, TABLE, 100 * ms, seed=21, client=client, batch_size=5,
                         progress=True)
    assert len(remote) == 12 and not remote.failures
    for k in range(12):
        for name, value in serial[k].items():
            np.testing.assert_array_equal(remote[k][name], value)
    assert remote.to_pandas().equals(serial.to_pandas())
    assert int(serial.to_pandas()["M.num_spikes"].sum()) > 0


def test_a_failing_parameter_set_in_a_worker_is_reported_and_the_others_return(client):
    table = {"tau": [5, 10, 10, 6] * ms, "weight": [0.4, 0.4, 0.2, 0.4]}
    result = nerve.sweep(tutorial_lif, table, 50 * ms, seed=8, client=client, errors="keep")
    [failure] = result.failures
    assert (failure.index, failure.stage, failure.type) == (1, "build", "ValueError")
    assert failure.params == {"tau": 10 * ms, "weight": 0.4}
    assert isinstance(failure.error, ValueError)
    assert "this parameter set is refused" in failure.traceback
    serial = nerve.sweep(tutorial_lif, table, 50 * ms, seed=8, errors="keep")
    for k in (0, 2, 3):
        np.testing.assert_array_equal(result[k]["V.v"], serial[k]["V.v"])
    with pytest.raises(nerve.SweepError, match=r"copy 1 \(tau=10. ms, weight=0.4\) failed in "
                                               r"build: ValueError"):
        nerve.sweep(tutorial_lif, table, 50 * ms, seed=8, client=client)


def test_a_task_that_fails_in_its_worker_is_reported_for_its_copies(client):
    import threading

    from nerve.sweeps import Labelled

    def measure(objects):
        # a result that cannot travel back from the worker (a lock does not pickle)
        lock = np.empty(1, dtype=object)
        lock[0] = threading.Lock()
        return {"n": objects["M"].num_spikes, "lock": Labelled(lock, ("x",))}

    result = nerve.sweep(tutorial_lif, {"tau": [2, 3, 4] * ms}, 5 * ms, seed=1, client=client,
                         measure=measure, errors="keep", batch_size=2, retries=0)
    assert [(f.index, f.stage) for f in result.failures] == [(0, "task"), (1, "task"),
                                                              (2, "task")]
    assert "lock" in result.failures[0].message
    assert result.failures[2].params == {"tau": 4 * ms}


def test_a_copy_whose_results_cannot_travel_is_reported_and_its_batch_kept(client):
    import threading

    from nerve.sweeps import Labelled

    def measure(objects):
        n = objects["M"].num_spikes
        if objects["V"].source.namespace["tau"] < 2.5 * ms:
            return {"n": n}
        lock = np.empty(1, dtype=object)
        lock[0] = threading.Lock()  # (does not pickle)
        return {"n": n, "lock": Labelled(lock, ("x",))}

    table = {"tau": [2, 3, 2, 2] * ms}
    result = nerve.sweep(tutorial_lif, table, 20 * ms, seed=4, client=client, measure=measure,
                         errors="keep", batch_size=4, retries=0)
    [failure] = result.failures
    assert (failure.index, failure.stage, failure.type) == (1, "task", "TypeError")
    assert failure.params == {"tau": 3 * ms}
    assert "cannot be sent back from the Dask worker" in failure.message
    assert "lock" in failure.message
    serial = nerve.sweep(tutorial_lif, table, 20 * ms, seed=4, measure=measure, errors="keep")
    assert [result[k]["n"] for k in (0, 2, 3)] == [serial[k]["n"] for k in (0, 2, 3)]


def _refuse_to_load():
    raise RuntimeError("this build function cannot be loaded here")


class _Unloadable:
    """A build function that pickles but fails when a worker unpickles it."""

    def __call__(self, tau):
        return tutorial_lif(tau)

    def __reduce__(self):
        return (_refuse_to_load, ())


def test_a_task_failing_before_its_copies_run_is_reported_for_each_copy(client):
    result = nerve.sweep(_Unloadable(), {"tau": [2, 3, 4] * ms}, 5 * ms, seed=1,
                         client=client, errors="keep", batch_size=2, retries=1)
    assert [(f.index, f.stage, f.type) for f in result.failures] == [
        (0, "task", "RuntimeError"), (1, "task", "RuntimeError"), (2, "task", "RuntimeError")]
    assert "cannot be loaded here" in result.failures[2].message
    assert result.failures[2].params == {"tau": 4 * ms}


def test_a_parameter_value_that_cannot_travel(client):
    import threading

    from nerve.exceptions import ArgumentTypeError

    def build(tau, guard):
        return tutorial_lif(tau)

    table = {"tau": [2, 3] * ms, "guard": [threading.Lock(), threading.Lock()]}
    with pytest.raises(ArgumentTypeError, match="a parameter set of the sweep cannot be sent to "
                                                "the Dask workers .*lock"):
        nerve.sweep(build, table, 5 * ms, client=client)


def test_the_number_of_workers_with_and_without_a_cluster_object(client):
    from nerve.sweeps.distributed import _worker_count

    assert client.cluster is not None
    assert _worker_count(client) == 2  # (from the cluster object)
    with distributed.Client(client.scheduler.address) as by_address:
        assert by_address.cluster is None
        assert _worker_count(by_address) == 2  # (asked to the scheduler)


def test_a_large_build_function_is_sent_to_the_workers_once(client):
    import cloudpickle

    from nerve.sweeps.distributed import INLINE_BYTES

    weights = np.linspace(0.1, 0.25, 20000)

    def build(k):
        return tutorial_lif(5 * ms, weight=weights[k])

    # (too large to travel in each task: scattered to the workers beforehand)
    assert len(cloudpickle.dumps(build)) > INLINE_BYTES
    table = {"k": [0, 9000, 19999]}
    remote = nerve.sweep(build, table, 30 * ms, seed=2, client=client, batch_size=2)
    serial = nerve.sweep(build, table, 30 * ms, seed=2)
    assert not remote.failures
    for k in range(3):
        np.testing.assert_array_equal(remote[k]["V.v"], serial[k]["V.v"])


def test_client_local_starts_and_closes_its_own_cluster():
    table = {"tau": [2, 6, 9] * ms}
    result = nerve.sweep(tutorial_lif, table, 20 * ms, seed=5, client="local")
    serial = nerve.sweep(tutorial_lif, table, 20 * ms, seed=5)
    for k in range(3):
        np.testing.assert_array_equal(result[k]["V.v"], serial[k]["V.v"])


def test_a_build_function_that_cannot_travel(client):
    import threading

    from nerve.exceptions import ArgumentTypeError

    lock = threading.Lock()

    def build(tau):
        with lock:
            return tutorial_lif(tau)

    with pytest.raises(ArgumentTypeError, match="the build function .* cannot be sent to the "
                                                "Dask workers"):
        nerve.sweep(build, {"tau": [2, 3] * ms}, 5 * ms, client=client)
