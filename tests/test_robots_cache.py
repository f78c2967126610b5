"""robots.txt read once per NEWSCRAWL_ROBOTS_TTL (kept in the state, both backends) and bounded in size."""

from conftest import crawl, write_sources
from sitegen import build_webplus_site

HOST = "news.robots.edu.cn"
ROBOTS = f"http://{HOST}/robots.txt"


def site(mirror, tmp_path, articles=4):
    urls = build_webplus_site(mirror.add, HOST, "xw", articles)
    return urls, write_sources(tmp_path, "rb", "规则大学", [f"http://{HOST}/xw/list.htm"])


def robots_calls(mirror):
    return [c for c in mirror.calls if c["url"] == ROBOTS]


def test_robots_txt_is_read_once_per_ttl_and_still_obeyed(mirror, tmp_path, state):
    urls, sources = site(mirror, tmp_path)
    refused = urls[1]
    path = refused.split(HOST, 1)[1]
    mirror.add(ROBOTS, f"User-agent: *\nDisallow: {path}\n", content_type="text/plain", validators=True)
    settings = {"NEWSCRAWL_SOURCES_FILE": sources, **state}
    out = tmp_path / "out"
    first = crawl(mirror, out, "rb", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(robots_calls(mirror)) == 1 and refused not in mirror.log
    # the next run (within the TTL) asks for no robots.txt, and obeys the cached one
    mirror.routes.pop(refused)  # a request for it would show in the log and fail
    mirror.calls.clear()
    mirror.log.clear()
    again = crawl(mirror, out, "rb", "-a", "full=1", settings=settings)
    assert again.returncode == 0, again.stderr[-2000:]
    assert robots_calls(mirror) == []
    assert refused not in mirror.log and len(mirror.requested("/page.htm")) == len(urls) - 1
    # past the TTL it is asked again, conditionally; the 304 renews the cached rules
    mirror.calls.clear()
    mirror.log.clear()
    stale = crawl(mirror, out, "rb", "-a", "full=1", settings={**settings, "NEWSCRAWL_ROBOTS_TTL": 0.001})
    assert stale.returncode == 0, stale.stderr[-2000:]
    [call] = robots_calls(mirror)
    assert call["headers"].get("If-None-Match") and call["status"] == 304
    assert refused not in mirror.log


def test_a_huge_robots_txt_is_read_only_up_to_the_cap(mirror, tmp_path):
    """Issue 15, item 12: only the first NEWSCRAWL_ROBOTS_MAXSIZE bytes are read and parsed (whole lines)."""
    urls, sources = site(mirror, tmp_path)
    early, late = (u.split(HOST, 1)[1] for u in urls[1:3])
    filler = "".join(f"Disallow: /nothing/here/{i}/\n" for i in range(400_000))  # ~12 MB of rules
    body = f"User-agent: *\nDisallow: {early}\n{filler}Disallow: {late}\n"
    mirror.add(ROBOTS, body, content_type="text/plain")
    out = tmp_path / "out"
    result = crawl(mirror, out, "rb", settings={"NEWSCRAWL_SOURCES_FILE": sources,
                                                "NEWSCRAWL_ROBOTS_MAXSIZE": 64 * 1024})
    assert result.returncode == 0, result.stderr[-2000:]
    assert urls[1] not in mirror.log          # its rule came before the cut: obeyed
    assert urls[2] in mirror.log              # its rule came after the cut: never read
    lines = [line for line in result.stderr.splitlines() if "robots.txt of" in line]
    assert len(lines) == 1 and f"robots.txt of {HOST} is larger than 65536 bytes" in lines[0]
    assert "warn size" not in result.stderr  # one line says it all
    from newscrawl.state import SqliteStateStore

    store = SqliteStateStore(out / ".newscrawl-state.sqlite3")
    cached = store.robots(HOST)["body"]
    store.close()
    assert len(cached) <= 64 * 1024 and cached.endswith(b"\n") and cached.startswith(b"User-agent: *\n")


def test_a_cached_robots_txt_stands_in_while_the_server_fails(mirror, tmp_path):
    urls, sources = site(mirror, tmp_path)
    refused = urls[1]
    mirror.add(ROBOTS, f"User-agent: *\nDisallow: {refused.split(HOST, 1)[1]}\n", content_type="text/plain")
    out = tmp_path / "out"
    settings = {"NEWSCRAWL_SOURCES_FILE": sources}
    assert crawl(mirror, out, "rb", settings=settings).returncode == 0
    mirror.add(ROBOTS, "Service Unavailable", status=503, content_type="text/plain")  # past the TTL, failing
    mirror.log.clear()
    result = crawl(mirror, out, "rb", "-a", "full=1", settings={**settings, "NEWSCRAWL_ROBOTS_TTL": 0.001})
    assert result.returncode == 0, result.stderr[-2000:]
    assert ROBOTS in mirror.log and refused not in mirror.log
    assert "the copy read before stands in" in result.stderr

