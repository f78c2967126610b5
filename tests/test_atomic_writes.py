"""Issue 15 items 4 and 8: a file newscrawl writes is whole or untouched, and never written through a planted link."""

import errno
import os
import resource
import stat
import subprocess
import sys

import pytest

from conftest import PROJECT, live_and_dead_pids
from newscrawl.discover import append_entry
from newscrawl.state import SqliteStateStore
from test_trust import mount_tmpfs

ORIGINAL = "sources:\n" + "".join(
    f"  s{n}:\n    school: 第{n}大学\n    archive: s{n}.edu.cn\n    lists: [\"http://news.s{n}.edu.cn/1/list.htm\"]\n"
    for n in range(20))
ENTRY = "  demo:\n    school: \"示范大学\"\n    archive: \"demo.edu.cn\"\n    lists:\n" + "".join(
    f"      - {{url: \"http://www.demo.edu.cn/{n}/list.htm\", cms: webplus}}   # 栏目{n}: 10 rows\n" for n in range(40))


def test_entry_and_original_are_big_enough_to_cut():
    assert 1500 < len(ORIGINAL.encode()) < 4096 < len((ORIGINAL + ENTRY).encode())  # one tmpfs page, then two


@pytest.mark.parametrize("fault", ["ENOSPC", "EFBIG"])
def test_a_discover_write_that_fails_part_way_leaves_the_sources_file_as_it_was(tmp_path, fault):
    folder = tmp_path / "disk"
    if fault == "ENOSPC":
        mount_tmpfs(folder, "size=16k")  # four pages: the sources file takes one, a filler the rest
    else:
        folder.mkdir()
    sources = folder / "sources.yaml"
    sources.write_text(ORIGINAL, encoding="utf-8")
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    try:
        if fault == "ENOSPC":
            with open(folder / "filler", "wb") as filler:
                with pytest.raises(OSError):
                    filler.write(b"x" * 64 * 1024)
                    filler.flush()
        else:  # a file may not grow past the original's size plus a little (ulimit -f)
            resource.setrlimit(resource.RLIMIT_FSIZE, (len(ORIGINAL.encode()) + 100, limits[1]))
        with pytest.raises(OSError) as failed:
            append_entry(sources, "demo", ENTRY)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        left = sorted(p.name for p in folder.iterdir())
        text = sources.read_text(encoding="utf-8")
        if fault == "ENOSPC":
            subprocess.run(["umount", str(folder)])
    assert failed.value.errno == getattr(errno, fault)
    assert text == ORIGINAL  # never cut mid-entry: every cron crawl would stop with a config error
    assert left == (["filler", "sources.yaml"] if fault == "ENOSPC" else ["sources.yaml"])  # no temp file left


def test_a_discover_write_keeps_the_files_mode_and_never_follows_a_planted_link(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(ORIGINAL, encoding="utf-8")
    sources.chmod(0o640)
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    for name in ("sources.yaml.tmp", ".sources.yaml.tmp", "sources.yaml~"):
        (tmp_path / name).symlink_to(victim)
    append_entry(sources, "demo", ENTRY)
    assert sources.read_text(encoding="utf-8") == ORIGINAL + "\n" + ENTRY
    assert stat.S_IMODE(sources.stat().st_mode) == 0o640 and not sources.is_symlink()
    assert victim.read_text() == "untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".sources.yaml.tmp", "sources.yaml", "sources.yaml.tmp",
                                                          "sources.yaml~", "victim"]


def test_report_out_never_writes_through_a_link_planted_at_its_temp_name(tmp_path):
    out = tmp_path / "site" / "report.html"
    out.parent.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    (out.parent / "report.html.tmp").symlink_to(victim)
    SqliteStateStore(tmp_path / ".newscrawl-state.sqlite3").close()  # `scrapy report` reads a state, never makes one
    made = subprocess.run([sys.executable, "-m", "scrapy", "report", "--out", str(out),
                           "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}"], cwd=PROJECT, capture_output=True, text=True,
                          timeout=60)
    assert made.returncode == 0, made.stderr[-2000:]
    assert victim.read_text() == "untouched"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") and not out.is_symlink()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # a web server can read it, as before


def test_the_sweep_removes_a_killed_crawls_summary_temp_file_too(tmp_path):
    from newscrawl.pipelines.write import remove_stale_temp_files, write_atomically

    with live_and_dead_pids() as (live, dead):
        (tmp_path / ".newscrawl").mkdir()
        mine = tmp_path / ".newscrawl" / f".cumt.last-crawl.json.{live}.k3j_x9ab.tmp"
        stale = tmp_path / ".newscrawl" / f".xjtu.last-crawl.json.{dead}.q0w_e8rt.tmp"
        mine.write_text("{")
        stale.write_text("{")
        assert remove_stale_temp_files(tmp_path) == 1
        assert mine.exists() and not stale.exists()
    write_atomically(tmp_path / ".newscrawl" / "cumt.last-crawl.json", "{}")  # the names it writes are swept
    kept = {p.name for p in (tmp_path / ".newscrawl").iterdir()}
    assert kept == {mine.name, "cumt.last-crawl.json"}
