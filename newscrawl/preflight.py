"""Checks before a crawl starts: each user mistake is one line and exit 1, never a traceback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from newscrawl.filekinds import MODES
from newscrawl.paths import files_dir
from newscrawl.state import AlreadyRunning, StateError, lock_source, open_store
from newscrawl.paths import output_folder


class PreflightError(RuntimeError):
    """The crawl cannot start; the message is the one line the user reads."""


def spider_class(crawler_process, name: str):
    try:
        return crawler_process.spider_loader.load(name)
    except KeyError:
        known = ", ".join(sorted(crawler_process.spider_loader.list()))
        raise PreflightError(f"unknown spider {name!r} (known: {known})") from None


def check_arguments(spidercls, spargs: dict) -> None:
    """Unknown or unreadable -a arguments, and a missing one the spider cannot run without."""
    check = getattr(spidercls, "check_arguments", None)
    if check is not None:
        try:
            check(dict(spargs))
        except ValueError as exc:
            raise PreflightError(str(exc)) from None
    for key in getattr(spidercls, "required_arguments", ()):
        if not str(spargs.get(key) or "").strip(" ,"):
            raise PreflightError(f"spider {spidercls.name!r} needs -a {key}=URL[,URL…] "
                                 f"(e.g. scrapy crawl {spidercls.name} -a {key}=https://…)")


def prepare_log_file(settings) -> None:
    """LOG_FILE in a folder that is missing or read-only: one line here, not a traceback from logging.

    LOG_FILE_APPEND=False (a fresh log each run) is done here, once: Scrapy reopens the log file for
    every crawler it creates, and with mode "w" each reopening erased what was logged before it (a
    source skipped as locked, the first crawler's start when crawlall runs two).
    """
    log_file = settings.get("LOG_FILE")
    if not log_file:
        return
    folder = Path(log_file).parent
    if not folder.is_dir():
        raise PreflightError(f"log folder {folder} does not exist (LOG_FILE={log_file}): create it "
                             f"(mkdir -p {folder}) or log elsewhere")
    try:
        if not settings.getbool("LOG_FILE_APPEND"):
            open(log_file, "w").close()
            settings.set("LOG_FILE_APPEND", True, priority="cmdline")
        elif not os.access(folder, os.W_OK) or (Path(log_file).exists() and not os.access(log_file, os.W_OK)):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        raise PreflightError(f"log file {log_file} cannot be written ({exc.strerror}): fix the permissions "
                             f"of {folder} or log elsewhere") from None


def check_output_dir(settings) -> None:
    """The archive's folders can be written: the output, the files folder and the WARC folder (when used)."""
    output = output_folder(settings)
    _check_writable(output, "output folder", "NEWSCRAWL_OUTPUT_DIR")
    mode = settings.get("NEWSCRAWL_FILES")
    if mode not in MODES:
        raise PreflightError(f"NEWSCRAWL_FILES must be one of {', '.join(MODES)}, not {mode!r}")
    if mode != "off":
        store = str(settings.get("FILES_STORE") or "")
        if "://" in store and not store.startswith("file://"):
            raise PreflightError(f"FILES_STORE must be a local folder (the archive links its files by path), "
                                 f"not {store}")
        _check_writable(files_dir(settings), "files folder", "FILES_STORE", create=False)
    if settings.get("NEWSCRAWL_WARC_DIR"):
        _check_writable(Path(settings.get("NEWSCRAWL_WARC_DIR")), "WARC folder", "NEWSCRAWL_WARC_DIR")


def _check_writable(folder: Path, what: str, setting: str, create: bool = True) -> None:
    """Probe folder with a temp file; create=False: a folder not there yet is made by its first file,
    so the nearest folder above it that exists is probed instead."""
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = next((p for p in (folder, *folder.absolute().parents) if p.exists()), folder)
        fd, probe = tempfile.mkstemp(prefix=".newscrawl-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise PreflightError(f"{what} {folder} is not writable ({exc.strerror}): "
                             f"fix its permissions or set {setting}") from None


def check_state(settings) -> None:
    try:
        store = open_store(settings)
        try:
            store.check_writable()
        finally:
            store.close()
    except StateError as exc:
        raise PreflightError(str(exc)) from None


def lock_sources(settings, names) -> list[str]:
    """Take each source's run lock; returns the names another crawl holds (those are skipped)."""
    busy = []
    for name in names:
        try:
            lock_source(settings, name)  # a file lock, or an advisory lock on a shared PostgreSQL
        except AlreadyRunning:
            busy.append(name)
        except OSError as exc:
            raise PreflightError(f"cannot create the run lock for {name}: {exc.strerror}") from None
    return busy
