"""The settings of a README test deployment: the project's own, minus politeness delays (loopback only)."""

import os

from newscrawl.settings import *  # noqa: F401,F403

DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = False
RETRY_TIMES = 1
NEWSCRAWL_RETRY_BACKOFF_BASE = 0.05
# `make crawl` runs in the project folder: its output goes where the test says, not into output/
NEWSCRAWL_OUTPUT_DIR = os.environ.get("README_TEST_OUTPUT_DIR", "output")
