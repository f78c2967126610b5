"""Issue 15 item 7: the offsite guard lets no request reach an address no source names, robots.txt included."""

import pytest
from scrapy import Spider
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from newscrawl.middlewares import OffsiteGuardMiddleware, OffsiteRequest


def guard():
    return OffsiteGuardMiddleware.from_crawler(get_crawler(Spider))


def own(url, *domains):
    return Request(url, meta={"newscrawl_domains": list(domains), "newscrawl_source": "s"})


def passes(mw, request) -> bool:
    try:
        return mw.process_request(request) is None
    except OffsiteRequest:
        return False


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/?/robots.txt",   # ends in /robots.txt, is not one
    "http://169.254.169.254/latest/meta-data/#/robots.txt",
    "http://169.254.169.254/robots.txt",                      # a real robots.txt, but no source names the address
    "http://10.0.0.5:8080/robots.txt",
    "http://[::1]/robots.txt",
    "http://localhost/admin/?/robots.txt",
])
def test_robots_txt_of_an_address_no_source_names_is_not_fetched(url):
    assert not passes(guard(), Request(url))


def test_robots_txt_of_an_address_a_source_names_is_fetched_and_nothing_else_there():
    mw = guard()
    assert passes(mw, own("http://10.0.0.5/news/list.htm", "10.0.0.5"))  # an intranet source named by address
    assert passes(mw, Request("http://10.0.0.5/robots.txt"))            # what Scrapy's robots middleware asks
    assert not passes(mw, Request("http://10.0.0.5/news/?/robots.txt"))
    assert not passes(mw, Request("http://10.0.0.5:8080/robots.txt"))   # another port is another site
    assert not passes(mw, Request("http://10.0.0.6/robots.txt"))


def test_requests_of_public_sites_are_unchanged():
    mw = guard()
    assert passes(mw, Request("https://www.cumt.edu.cn/robots.txt"))
    assert passes(mw, own("https://news.cumt.edu.cn/x.htm", "cumt.edu.cn"))
    assert not passes(mw, own("https://evil.example.com/x.htm", "cumt.edu.cn"))
    assert not passes(mw, own("http://169.254.169.254/x", "cumt.edu.cn"))
