"""nerve logs as a library should: a NullHandler on the ``nerve`` logger,
propagation to the application's handlers, console output only on request
(``nerve.log_to_console()`` or Brian2's ``BrianLogger.log_level_*()``)."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import nerve

MODEL = """
G = NeuronGroup(1, 'dv/dt = -v**2/(10*ms) : 1')  # no method: nerve logs its choice (INFO)
run(0.1*ms)
"""


def run_script(code: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def test_nerve_logger_has_a_null_handler_and_propagates():
    logger = logging.getLogger("nerve")
    assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)
    assert logger.propagate


def test_silent_unless_asked():
    assert run_script("from nerve import *\n" + MODEL).stderr == ""


def test_application_logging_configuration_receives_nerve_messages():
    code = ("import logging, sys\n"
            "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(name)s|%(message)s')\n"
            "from nerve import *\n" + MODEL)
    result = run_script(code)
    assert result.stderr == ""
    lines = [line for line in result.stdout.splitlines() if line.startswith("nerve.integrators|")]
    assert len(lines) == 1 and "euler" in lines[0], result.stdout


def test_log_to_console_shows_messages_once_with_their_logger_name():
    code = "import nerve\nnerve.log_to_console()\nnerve.log_to_console('INFO')\nfrom nerve import *\n" + MODEL
    shown = [line for line in run_script(code).stderr.splitlines() if line.strip()]
    assert len(shown) == 1 and shown[0].startswith("INFO") and shown[0].endswith(
        "[nerve.integrators]"), shown
    quiet = run_script("import nerve\nnerve.log_to_console('WARNING')\nfrom nerve import *\n" + MODEL)
    assert quiet.stderr == ""


def test_log_to_console_rejects_an_unknown_level():
    from nerve.exceptions import NerveError

    with pytest.raises(ValueError) as info:
        nerve.log_to_console("LOUD")
    assert isinstance(info.value, NerveError) and "LOUD" in str(info.value)
