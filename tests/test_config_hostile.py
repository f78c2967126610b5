"""Issue 15 items 5 and 10: a sources file YAML would read otherwise than its author wrote is refused in one line."""


import pytest

from conftest import scrapy
from newscrawl.config import ConfigError, load_sources

LIST = '["http://xwzx.cumt.edu.cn/881/list.htm"]'


def source(name: str, school: str = "中国矿业大学") -> str:
    return f"  {name}:\n    school: {school}\n    archive: cumt.edu.cn\n    lists: {LIST}\n"


def write(tmp_path, text: str):
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path) -> str:
    with pytest.raises(ConfigError) as refused:
        load_sources(path)
    return str(refused.value)


@pytest.mark.parametrize("text, where, lines", [
    # PyYAML keeps the last: the first cumt (and its columns) would vanish without a word
    ("sources:\n" + source("cumt") + source("xjtu", "西安交通大学") + source("cumt", "别的学校"), "sources.cumt", (2, 10)),
    ("sources:\n  cumt:\n    school: 中国矿业大学\n    archive: cumt.edu.cn\n    lists: " + LIST + "\n    school: 矿大\n",
     "sources.cumt.school", (3, 6)),
    ("sources:\n  cumt:\n    school: 中国矿业大学\n    archive: cumt.edu.cn\n    lists:\n"
     "      - {url: 'http://xwzx.cumt.edu.cn/881/list.htm', url: 'http://xwzx.cumt.edu.cn/882/list.htm'}\n",
     "sources.cumt.lists[0].url", (6,)),
    ("sources:\n" + source("cumt") + "sources:\n" + source("xjtu", "西安交通大学"), "sources", (1, 6)),
    # the same key however YAML spells it: plain, quoted
    ("sources:\n" + source("cumt") + source('"cumt"'), "sources.cumt", (2, 6)),
])
def test_a_duplicate_key_anywhere_is_a_config_error_naming_both_lines(tmp_path, text, where, lines):
    path = write(tmp_path, text)
    on = f"on lines {lines[0]} and {lines[1]}" if len(lines) == 2 else f"twice on line {lines[0]}"
    assert refusal(path) == f"{path}: {where}: duplicate key {on} (YAML would keep only the last)"


def billion_laughs(levels: int = 9) -> str:
    """Each level lists the one below ten times: 10^9 strings once expanded, 1 KB as written."""
    rows = ['    note: &l0 "lol"']
    rows += [f"    n{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "sources:\n  cumt:\n    school: 中国矿业大学\n    archive: cumt.edu.cn\n    lists: " + LIST + "\n" + "\n".join(rows) + "\n"


def test_yaml_aliases_are_refused_before_anything_is_expanded(tmp_path):
    path = write(tmp_path, billion_laughs())
    assert refusal(path) == (f"{path}: line 6, column 11: YAML anchor &l0 refused: a sources file may not "
                             "repeat values by reference (anchors &, aliases *, merges <<); write each value out")
    alias_only = write(tmp_path, "sources:\n" + source("cumt") + "  xjtu: *cumt\n")
    assert refusal(alias_only) == (f"{alias_only}: line 6, column 9: YAML alias *cumt refused: a sources file may "
                                   "not repeat values by reference (anchors &, aliases *, merges <<); write each value out")
    merge = write(tmp_path, "sources:\n" + source("cumt") + "    <<: {school: 别的学校}\n")
    assert refusal(merge).startswith(f"{merge}: line 6: YAML merge key << refused: ")


def test_nesting_too_deep_for_the_parser_is_one_line(tmp_path):
    path = write(tmp_path, "sources:\n  cumt:\n    note: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert refusal(path) == f"{path}: not valid YAML: nested too deeply to read"


@pytest.mark.parametrize("text, message", [
    ("sources:\n" + source("cumt") + source("cumt"), "sources.cumt: duplicate key on lines 2 and 6"),
    (billion_laughs(), "line 6, column 11: YAML anchor &l0 refused"),
])
def test_every_command_says_it_in_one_line_and_exits_1(tmp_path, text, message):
    path = write(tmp_path, text)
    result = scrapy("list", "-s", f"NEWSCRAWL_SOURCES_FILE={path}", timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newscrawl: config error: {path}: {message}"), result.stderr[-2000:]


@pytest.mark.parametrize("name, read_as", [("yes", "the bool True"), ("on", "the bool True"), ("2024", "the int 2024")])
def test_a_source_name_yaml_reads_as_a_boolean_or_number_is_named_as_it_was_read(tmp_path, name, read_as):
    path = write(tmp_path, "sources:\n" + source(name))
    shown = read_as.rsplit(" ", 1)[1]
    assert refusal(path) == (f"{path}: sources.{shown}: YAML reads this source name as {read_as}: "
                             "a source name is lowercase letters, digits and _, starting with a letter")
