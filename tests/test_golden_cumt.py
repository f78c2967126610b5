"""Golden files: fixture WebPlus pages holding seeds 000 and 001 come out as the users' archive files."""

from conftest import GOLDEN, crawl

SEED_000_URL = "http://xwzx.cumt.edu.cn/a9/36/c523a633142/page.htm"
SEED_001_URL = "http://xwzx.cumt.edu.cn/33/a2/c523a537506/page.htm"


def test_seed_000_article_matches_golden_archive_file(mirror, tmp_path):
    mirror.add_fixture(SEED_000_URL, "cumt_xwzx_633142.html")
    result = crawl(mirror, tmp_path, "article", "-a", f"url={SEED_000_URL}")
    written = tmp_path / "cumt" / "eff5d2253c36a4d31f8f1cba2bd483d6.md"
    assert written.exists(), result.stderr[-2000:]
    golden = GOLDEN / "cumt_eff5d2253c36a4d31f8f1cba2bd483d6.md"
    assert written.read_bytes() == golden.read_bytes()


def test_seed_001_article_matches_golden_archive_file_in_new_format(mirror, tmp_path):
    mirror.add_fixture(SEED_001_URL, "cumt_xwzx_537506.html")
    result = crawl(mirror, tmp_path, "article", "-a", f"url={SEED_001_URL}")
    written = tmp_path / "cumt" / "097a10403a3b04d2c8efdc302c9958a4.md"
    assert written.exists(), result.stderr[-2000:]
    assert written.read_bytes() == (GOLDEN / "cumt_097a10403a3b04d2c8efdc302c9958a4.md").read_bytes()
