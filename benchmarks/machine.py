"""A description of the machine and software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys


def _cpuinfo() -> dict:
    model, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f") if f in flags]
    return {"cpu": model, "simd": simd}


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _l3_cache() -> str | None:
    path = "/sys/devices/system/cpu/cpu0/cache"
    try:
        for entry in sorted(os.listdir(path)):
            with open(f"{path}/{entry}/level") as f:
                if f.read().strip() == "3":
                    with open(f"{path}/{entry}/size") as g:
                        return g.read().strip()
    except OSError:
        pass
    return None


def _python_version(python: str) -> str | None:
    out = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


def describe(*, brian2_python: str | None = None, c_compiler: str | None = None) -> dict:
    """CPU, cores, memory, load, OS and the versions of everything measured."""
    info = {"host": socket.gethostname(), **_cpuinfo(), "cores": os.cpu_count(),
            "l3_cache": _l3_cache(), "memory_gib": _memory_gib(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "os": f"{platform.system()} {platform.release()}",
            "python": sys.version.split()[0]}
    try:
        import numpy
        info["numpy"] = numpy.__version__
    except ImportError:
        pass
    try:
        import nerve
        info["nerve"] = getattr(nerve, "__version__", "unknown")
    except Exception as exc:  # a broken build is worth recording, not fatal here
        info["nerve"] = f"import failed: {exc.__class__.__name__}: {exc}"
    if brian2_python:
        code = ("import brian2, numpy, Cython, sys; "
                "print(brian2.__version__, numpy.__version__, Cython.__version__)")
        out = subprocess.run([brian2_python, "-c", code], capture_output=True, text=True)
        parts = out.stdout.split()
        if len(parts) == 3:
            info["brian2"], info["brian2_numpy"], info["cython"] = parts
        info["brian2_python"] = _python_version(brian2_python)
        gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True)
        info["g++"] = gxx.stdout.splitlines()[0] if gxx.stdout else None
    if c_compiler:
        info["cc"] = c_compiler
    return info


def one_line(info: dict) -> str:
    """The machine in one line, for table captions."""
    simd = "/".join(info.get("simd", [])) or "no SIMD flags"
    return (f"{info['cpu']} ({simd}), {info['cores']} cores, L3 {info.get('l3_cache')}, "
            f"{info.get('memory_gib')} GiB, {info['os']}, load average at start "
            f"{info['load_average'][0]}")
