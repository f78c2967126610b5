"""The README's fenced code blocks, by section, and a folder to run them in as a user would.

The README is a tested contract: tests/test_readme.py runs (or loads) every block, and fails on a
block no test claims. A deployment is a folder like /srv/newscrawl: `.venv` (the virtualenv these
tests run in), and the settings of a crawl on loopback (tests/readme_settings.py: the project's
settings without the politeness delays), so the commands run exactly as the README writes them.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
README = PROJECT / "README.md"
FENCE_RE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Block:
    section: str   # the `## ` heading it is under
    lang: str      # sh, cron, yaml, toml, or "" for a sample
    text: str
    line: int      # 1-based line of its opening fence

    @property
    def key(self) -> tuple[str, str, int]:
        """(section, lang, n): the n-th block of that language in that section, from 0."""
        return self.section, self.lang, self.index

    index: int = 0


def blocks(path: Path = README) -> list[Block]:
    found: list[Block] = []
    section, lang, start, lines = "", None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if lang is None:
            if line.startswith("## "):
                section = line[3:].strip()
            match = FENCE_RE.match(line)
            if match:
                lang, start, lines = match.group(1), number, []
        elif line.strip() == "```":
            index = sum(1 for b in found if b.section == section and b.lang == lang)
            found.append(Block(section, lang, "\n".join(lines) + "\n", start, index))
            lang = None
        else:
            lines.append(line)
    return found


def block(section: str, lang: str, index: int = 0) -> Block:
    for b in blocks():
        if b.key == (section, lang, index):
            return b
    raise LookupError(f"README has no {lang or 'plain'} block {index} under '## {section}'")


def commands(b: Block) -> list[str]:
    """The command lines of a shell block (comments and blank lines dropped, `# …` tails kept)."""
    return [line for line in b.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def deployment(folder: Path, proxy: str | None = None) -> dict:
    """Make `folder` a project folder a user runs commands in; return the environment to run them with."""
    folder.mkdir(parents=True, exist_ok=True)
    venv = Path(sys.executable).parent.parent
    if not (folder / ".venv").exists():
        (folder / ".venv").symlink_to(venv)
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "newscrawl_sources_file",
                                                                     "newscrawl_state_url")}
    env.update(SCRAPY_SETTINGS_MODULE="readme_settings",
               PYTHONPATH=os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               PATH=os.pathsep.join([str(venv / "bin"), env.get("PATH", "")]))
    if proxy:
        env.update(http_proxy=proxy, https_proxy=proxy, HTTP_PROXY=proxy, HTTPS_PROXY=proxy)
    return env
