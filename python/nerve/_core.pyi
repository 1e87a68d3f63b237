"""Type stubs of the engine module (rust/nerve-py): what type checkers see of
``nerve._core``. The contract of each function is in docs/architecture.md
(section "engine"); tests/test_stubs.py checks that every name the compiled
module defines is declared here."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

#: the bytecode format version the engine reads
IR_VERSION: int
#: lanes per chunk (neurons or synapses a program runs over at a time)
CHUNK: int
#: the opcode table: (code, name, arity, where it runs, meaning)
OPCODES: list[tuple[int, str, int, str, str]]

class Table:
    """A table of values the ``lookup`` opcode reads (a TimedArray's), shared by programs."""

    def __new__(cls, values: npt.NDArray[np.float64]) -> Table: ...
    def __len__(self) -> int: ...

class Program:
    """A bytecode program, decoded and validated once."""

    def __new__(cls, data: bytes, tables: Sequence[Table] | None = None) -> Program: ...
    @property
    def n_columns(self) -> int: ...
    @property
    def n_tables(self) -> int: ...
    def disassemble(self) -> str: ...

class Rng:
    """The random streams of one object (xoshiro256++, per chunk of lanes)."""

    def __new__(cls, seed: int, stream: int) -> Rng: ...
    def copy(self) -> Rng: ...

class SpikeQueue:
    """The queue of delayed synaptic events of one pathway."""

    def __new__(cls) -> SpikeQueue: ...
    def prepare(self, trigger: npt.NDArray[np.int32], n_trigger: int,
                delays: npt.NDArray[np.int64]) -> None: ...
    def set_rows(self, trigger: npt.NDArray[np.int32], n_trigger: int) -> None: ...
    def set_delays(self, seconds: npt.NDArray[np.float64], dt: float) -> None: ...
    def pending(self) -> int: ...
    def clear(self) -> None: ...
    def copy(self) -> SpikeQueue: ...

class SpikeTable:
    """The spikes of a SpikeGeneratorGroup by step, and the cursor of the next one."""

    def __new__(cls, steps: npt.NDArray[np.int64], neurons: npt.NDArray[np.int32],
                period: int) -> SpikeTable: ...
    @property
    def cursor(self) -> int: ...
    @cursor.setter
    def cursor(self, k: int) -> None: ...
    def __len__(self) -> int: ...

def execute(program: Program, columns: Sequence[npt.NDArray[np.float64]], n: int, rng: Rng,
            t: float, dt: float, step: int) -> None: ...
def skip_sample(rng: Rng, rows: npt.NDArray[np.int32], n_post: int,
                p: float) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]: ...
def run(groups: Sequence[Any], clocks: Sequence[tuple[float, int, int]], ops: Sequence[Any],
        state_recorders: Sequence[Any], event_recorders: Sequence[Any], host: Any = None,
        threads: int = 0, links: Sequence[Any] = ...,
        pathways: Sequence[Any] | None = None, inputs: Sequence[Any] = ...,
        rate_recorders: Sequence[Any] = ..., memory_limit: int | None = None,
        flush_at: int | None = None, streamed: Any = None,
        counted: Sequence[bool] = ...) -> tuple[int, bool, list[int], tuple[Any, ...],
                                                         BaseException | None]: ...
