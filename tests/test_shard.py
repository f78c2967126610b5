"""Sharding: every source in exactly one shard, the same on every machine; crawlall --shard crawls its own."""

import subprocess
import sys

import pytest

from conftest import PROJECT, crawl_command
from newscrawl.shard import ShardError, in_shard, parse_shard, shard_of

NAMES = [f"univ_{i}_news" for i in range(5000)] + ["cumt", "uestc", "nju", "thepaper_x"]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 16])
def test_shards_are_disjoint_complete_and_roughly_even(count):
    owners = {name: [i for i in range(1, count + 1) if in_shard(name, i, count)] for name in NAMES}
    assert all(len(found) == 1 for found in owners.values())  # no overlap, no gap
    sizes = [sum(found == [i] for found in owners.values()) for i in range(1, count + 1)]
    assert min(sizes) > len(NAMES) / count * 0.8


def test_shard_is_stable_across_processes_and_releases():
    # pinned values: changing the hash would silently move sources between machines
    assert [shard_of(n, 4) for n in ("cumt", "uestc", "nju_news", "thepaper_x")] == [1, 3, 2, 3]
    code = "from newscrawl.shard import shard_of; print([shard_of(f'univ_{i}', 7) for i in range(50)])"
    runs = {subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert runs == {str([shard_of(f"univ_{i}", 7) for i in range(50)]) + "\n"}


@pytest.mark.parametrize("text", ["", "1", "0/3", "4/3", "1/0", "a/b", "1/2/3", "-1/2"])
def test_bad_shard_values_are_refused(text):
    with pytest.raises(ShardError, match="--shard"):
        parse_shard(text)


def test_parse_shard():
    assert parse_shard("2/5") == (2, 5) and parse_shard(" 1 / 1 ") == (1, 1)


def crawlall_command(mirror, out, sources, *args):
    cmd, env = crawl_command(mirror, out, "x", settings={"NEWSCRAWL_SOURCES_FILE": sources})
    at = cmd.index("crawl")
    return cmd[:at] + ["crawlall", *args] + cmd[at + 2:], env


def test_crawlall_shard_crawls_only_its_sources(mirror, tmp_path):
    names = [f"s{i}" for i in range(8)]
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n" + "".join(
        f"  {n}:\n    school: {n}\n    archive: {n}.example\n    cms: webplus\n    lists: [http://news.{n}.edu.cn/1/list.htm]\n"
        for n in names), encoding="utf-8")
    cmd, env = crawlall_command(mirror, tmp_path / "out", sources, "--shard", "2/3")
    result = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    hosts = {url.split("/")[2] for url in mirror.requested("list.htm")}
    expected = {f"news.{n}.edu.cn" for n in names if shard_of(n, 3) == 2}
    assert expected and hosts == expected, result.stderr[-2000:]
    assert f"shard 2/3: {len(expected)} sources" in result.stderr


def test_crawlall_bad_shard_is_one_line_and_exit_1(mirror, tmp_path):
    cmd, env = crawlall_command(mirror, tmp_path, PROJECT / "newscrawl" / "sources.yaml", "--shard", "5/4")
    result = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == "newscrawl: --shard '5/4': I must be between 1 and N (N >= 1)"
    assert not mirror.log


def test_shard_lists_its_source_names_for_job_schedulers(tmp_path):
    sources = tmp_path / "sources.yaml"
    names = [f"s{i}" for i in range(10)]
    sources.write_text("sources:\n" + "".join(
        f"  {n}:\n    school: {n}\n    archive: x\n    lists: [http://news.{n}.edu.cn/]\n" for n in names), encoding="utf-8")
    listed = []
    for index in (1, 2, 3):
        result = subprocess.run([sys.executable, "-m", "newscrawl.shard", f"{index}/3", str(sources)], cwd=PROJECT,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        listed.append(result.stdout.split())
        assert listed[-1] == [n for n in names if shard_of(n, 3) == index]
    assert sorted(sum(listed, [])) == sorted(names)
    bad = subprocess.run([sys.executable, "-m", "newscrawl.shard", "0/3"], cwd=PROJECT, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("newscrawl: --shard '0/3'")
