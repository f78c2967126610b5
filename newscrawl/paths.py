"""Where the archive is (NEWSCRAWL_OUTPUT_DIR) and its kept files (FILES_STORE), read one way everywhere."""

from __future__ import annotations

from pathlib import Path


def output_folder(settings) -> Path:
    """NEWSCRAWL_OUTPUT_DIR, or settings.py's default when the settings given lack the project's."""
    from newscrawl import settings as defaults  # imported when asked: it reads the environment

    return Path(settings.get("NEWSCRAWL_OUTPUT_DIR") or defaults.NEWSCRAWL_OUTPUT_DIR)


FILES_DIR_NAME = "files"


def files_dir(settings) -> Path:
    """FILES_STORE, else the files folder inside NEWSCRAWL_OUTPUT_DIR (the files pipeline, the state
    and `scrapy state` all read it)."""
    store = str(settings.get("FILES_STORE") or "")
    if store.startswith("file://"):
        store = store[len("file://"):]
    return Path(store) if store else output_folder(settings) / FILES_DIR_NAME
