"""Test-suite configuration.

Under CI (the ``CI`` environment variable is set) hypothesis runs
derandomized: the same examples every run, so a submission's result does not
depend on luck. Local runs stay randomized and keep exploring; a failure they
find is replayed from hypothesis's example database and should become an
explicit regression test.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
