"""Tells an error page served with HTTP 200 (not found, deleted, maintenance, a CMS notice) from an article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree, html as lxml_html

from newscrawl.extract.blocks import html_blocks
from newscrawl.extract.common import squeeze
from newscrawl.extract.wechat import GONE_RE

# What such pages say, by kind. A phrase counts only where it is most of a short clause of the page
# (its title, a heading, a line, an alert()): an article that merely mentions 页面不存在 is an article.
NOTICE_SHARE = 0.4         # a notice is most of a short clause (CLAUSE_CHARS) ...
STRICT_SHARE = 0.8         # ... or nearly all of it, for words real notices use too
GONE_VERB = r"(?:删除|撤销|撤回|撤稿|下线|屏蔽|过期|失效)"
NOTICE_RULES: tuple[tuple[str, re.Pattern, float], ...] = (
    # (kind, what the page says, the share of a clause it must be)
    ("not_found", re.compile(
        r"(?:页面|网页|文章|信息|新闻|内容|资源|文件|栏目)(?:不存在|未找到|找不到|无法找到)|找不到(?:该|此|您要访问的|您要找的)?(?:页面|网页)"
        r"|或不存在|\b404\b|Not\s*Found|Page\s+not\s+found|File\s+not\s+found"
        # an unpublished article answers like a missing one ('此信息不存在或尚未审核通过')
        r"|(?:或|信息|文章|内容|新闻|稿件)(?:尚未|未)(?:审核|发布)(?:通过)?", re.I), NOTICE_SHARE),
    ("deleted", re.compile(
        r"(?:信息|文章|新闻|内容|稿件|页面|网页|链接|资源|文件)(?:已经|已)?被?(?:管理员|发布者|作者)?" + GONE_VERB
        + r"(?:或(?:已经|已)?被?" + GONE_VERB + ")?|" + GONE_RE.pattern, GONE_RE.flags), NOTICE_SHARE),  # WeChat's words too
    ("maintenance", re.compile(
        r"(?:系统|网站|服务器)?(?:升级)?维护中|升级中|正在(?:维护|升级)|暂停(?:访问|服务)|暂时无法(?:访问|查看|打开)|暂时关闭"
        r"|Service\s+(?:Temporarily\s+)?Unavailable|under\s+maintenance", re.I), NOTICE_SHARE),
    # words real short notices use too ('学院网站建设中，欢迎提出意见'): the whole clause must be them
    ("maintenance", re.compile(r"(?:网站|网页|页面|栏目|本站)(?:正在)?建设中|(?:系统|服务器)繁忙|访问(?:过于|太)频繁"), STRICT_SHARE),
    ("notice", re.compile(
        r"提示信息|系统提示|操作提示|错误提示|出错了|访问出错|发生错误|系统错误|服务器(?:内部)?错误|程序错误|数据库错误"
        r"|非法(?:访问|参数|请求|操作)|无效的?(?:参数|链接|请求|地址)|访问被拒绝|拒绝访问|无权(?:访问|查看|浏览)"
        r"|Internal\s+Server\s+Error|Bad\s+Request|Forbidden|Bad\s+Gateway|Runtime\s+Error|\berror\b", re.I), NOTICE_SHARE),
    # an intranet-only or members-only article: the page says so instead of showing it
    ("restricted", re.compile(
        r"(?:您|你)?(?:没有|无)(?:访问|查看|浏览)?权限(?:访问|查看|浏览)?(?:此|该|本)?(?:信息|页面|内容|文章)?|权限不足"
        r"|(?:请(?:先)?|需要|须)?登录后(?:才能|方可)?(?:查看|访问|浏览)(?:此|该|本)?(?:信息|页面|内容|文章)?"
        r"|(?:该|此|本)?(?:信息|页面|内容|文章|栏目)?仅限校内(?:访问|用户)?(?:访问|浏览|查看)?|校外(?:无法|不能)访问"), STRICT_SHARE),
)
# Where a script or a meta refresh sends the reader, and the targets that are the site's error page.
REDIRECT_TARGET_RE = re.compile(
    r"""(?:location(?:\.href)?\s*=|location\.(?:replace|assign)\(|^\s*\d*\s*;?\s*url=)\s*["']?(?P<target>[^"'\s;)]+)""",
    re.I | re.M)
ERROR_TARGET_RE = re.compile(r"404|error|notfound|not_found", re.I)
ALERT_RE = re.compile(r"""\b(?:alert|confirm)\(\s*(["'])(?P<message>[^"'\n]{1,200})\1""")
# The page states when it was published: an article page, whatever else it says.
DATE_STATED_RE = re.compile(r"(?:时间|日期)\s*[:：]\s*\d{4}|(?:发布|发表|更新)(?:时间|日期|于)\s*[:：]?\s*\d{4}")
# Where a CMS sends the reader of an article it no longer has: its home page.
HOME_PATH_RE = re.compile(r"^/*(?:(?:index|default|main|home)\.(?:s?html?|jsp|php|aspx?))?$", re.I)
TITLE_PARTS_RE = re.compile(r"\s*[-–—_|｜·]\s*")
CLAUSE_RE = re.compile(r"[，,。.！!？?；;：:…\n]+")

# Text a reader sees outside links (the site's navigation is links): a notice page has little.
VISIBLE_TEXT = etree.XPath("//body//text()[not(ancestor::a or ancestor::script or ancestor::style or ancestor::noscript"
                           " or ancestor::template)]", smart_strings=False)

SHORT_PAGE_CHARS = 400   # visible text outside links; an error page with the site's header and footer is shorter
CLAUSE_CHARS = 60        # a notice is a short clause ...


@dataclass(frozen=True)
class ErrorPage:
    kind: str      # not_found, deleted, maintenance, notice, restricted, redirect (to the error page), moved_home
    message: str   # what the page says, for the log line


def _notice_in(clause: str) -> str | None:
    """The kind of notice a clause is, if it mostly is one."""
    clause = " ".join(clause.split())
    if not clause or len(clause) > CLAUSE_CHARS:
        return None
    covered, kind, share = set(), None, NOTICE_SHARE
    for name, rule, needed in NOTICE_RULES:
        for match in rule.finditer(clause):
            covered.update(range(*match.span()))
            if kind is None:
                kind, share = name, needed
    return kind if kind and len(covered) >= share * len(clause) else None


def moved_home(url: str, requested_url: str) -> ErrorPage | None:
    """The article's URL (requested_url) was redirected to the site's home page (url): it is gone."""
    if requested_url and url and requested_url != url:
        path = urlsplit(url).path
        if HOME_PATH_RE.match(path) and not HOME_PATH_RE.match(urlsplit(requested_url).path):
            return ErrorPage("moved_home", f"redirected to the home page {url}")
    return None


def error_page(html: str) -> ErrorPage | None:
    """An ErrorPage when the whole page is a notice instead of content: short, no publication date,
    and its title, a heading, a line or an alert() saying so, or a script sending it to the site's
    error page. (A page whose extraction found SHORT_PAGE_CHARS of text or more is an article's.)"""
    if not html:
        return None
    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, etree.ParserError):
        return None
    visible = 0
    for text in VISIBLE_TEXT(root):
        visible += len(squeeze(text))
        if visible > SHORT_PAGE_CHARS:
            return None  # an article's page, decided before looking any closer
    scripts = "\n".join(root.xpath("//script/text()"))
    body = root.find("body")
    if body is None:  # a page that is only a script: alert() and go
        body = lxml_html.Element("body")
    title = " ".join(root.xpath("string(//title)").split())
    refresh = "\n".join(root.xpath("//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']/@content"))
    lines = html_blocks(body, "").paragraphs
    if DATE_STATED_RE.search("\n".join(lines)):
        return None
    alerts = [m["message"] for m in ALERT_RE.finditer(scripts)]
    general = None  # a bare notice (提示信息) says less than what the page says below it (该信息已删除)
    for block in [*TITLE_PARTS_RE.split(title), *alerts, *lines]:
        for clause in CLAUSE_RE.split(block):
            kind = _notice_in(clause)
            if kind and kind != "notice":
                return ErrorPage(kind, " ".join(block.split())[:80])
            if kind and general is None:
                general = ErrorPage(kind, " ".join(block.split())[:80])
    if general is not None:
        return general
    for target in REDIRECT_TARGET_RE.finditer(scripts + "\n" + refresh):
        if ERROR_TARGET_RE.search(target["target"]) and visible < CLAUSE_CHARS:
            return ErrorPage("redirect", f"sent to {target['target'][:80]}")
    return None
