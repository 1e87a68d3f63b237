"""The free-memory figure read before every run (nerve/core/memory.py):
``MemAvailable`` of /proc/meminfo and the room under the process's cgroup
limit (v2 or v1), from the kernel's files read raw."""

from __future__ import annotations

import pytest

from nerve.core import memory


def test_read_gives_the_bytes_of_a_file_or_none(tmp_path):
    path = tmp_path / "memory.max"
    path.write_bytes(b"123456\n")
    assert memory._read(str(path)) == b"123456\n"
    assert memory._read_int(str(path)) == 123456
    assert memory._read(str(tmp_path / "missing")) is None
    path.write_bytes(b"max\n")  # (cgroup v2: no limit)
    assert memory._read_int(str(path)) is None


def _fake(monkeypatch, files: dict):
    monkeypatch.setattr(memory, "_read", lambda path: files.get(path))


MEMINFO = b"MemTotal:       32000000 kB\nMemFree:  1 kB\nMemAvailable:   1000 kB\nCached: 5 kB\n"


def test_the_smaller_of_mem_available_and_the_cgroup_v2_room(monkeypatch):
    _fake(monkeypatch, {"/proc/meminfo": MEMINFO,
                        "/proc/self/cgroup": b"0::/user.slice/job\n",
                        "/sys/fs/cgroup/user.slice/job/memory.max": b"5000\n",
                        "/sys/fs/cgroup/user.slice/job/memory.current": b"1000\n"})
    assert memory.available_memory() == 4000
    _fake(monkeypatch, {"/proc/meminfo": MEMINFO,
                        "/proc/self/cgroup": b"0::/user.slice/job\n",
                        "/sys/fs/cgroup/user.slice/job/memory.max": b"max\n",
                        "/sys/fs/cgroup/user.slice/job/memory.current": b"1000\n"})
    assert memory.available_memory() == 1000 * 1024


@pytest.mark.parametrize("limit, expected", [(b"3000\n", 1000),
                                             (b"9223372036854771712\n", 1000 * 1024)])
def test_cgroup_v1_and_its_unlimited_value(monkeypatch, limit, expected):
    _fake(monkeypatch, {"/proc/meminfo": MEMINFO,
                        "/proc/self/cgroup": b"5:devices:/\n4:memory:/job\n0::/\n",
                        "/sys/fs/cgroup/memory/job/memory.limit_in_bytes": limit,
                        "/sys/fs/cgroup/memory/job/memory.usage_in_bytes": b"2000\n"})
    assert memory.available_memory() == expected


def test_nothing_known(monkeypatch):
    _fake(monkeypatch, {"/proc/meminfo": b"MemAvailable: lots\n"})
    assert memory.available_memory() is None
