"""Anti-bot walls on articles: whose wall it is (the article's or the site's) is decided from the run's evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from newscrawl.outcomes import article_failed, remember_failure
from newscrawl.urls import host_of


def the_sites_wall(answered: int, answered_articles: int, walled: int) -> bool:
    """True when a host's walls in a run stand over the site, not over single articles.

    answered: pages of the host (lists, articles) that answered normally in the run; walled: its
    articles that met a wall. A wall on articles of a site that answers nothing else, that walls
    more pages than it answers, or that walls every article it was asked for (several) while its lists
    answer is the site's; a wall on one article among pages that answer is that article's.
    """
    return answered < walled or (answered_articles == 0 and walled > 1)


@dataclass
class Walled:
    url: str
    source: str
    kind: str      # the failure kind: blocked (瑞数, HTTP 412), wechat_verification
    reason: str
    column: str
    cms: str


class WallVerdicts:
    """Mixed into NewsSpider: a walled article waits for the end of the run, whose evidence decides.

    At the wall it is queued without using an attempt (an interrupted run fetches it again, nothing
    lost); at the end (closed), a wall that is the site's is counted as blocked, as before, and one
    that is the article's alone is a failure like an HTTP error: it uses an attempt, so a single
    walled article is given up after NEWSCRAWL_MAX_ATTEMPTS runs instead of blocking its source forever.
    """

    def wall_evidence(self) -> tuple[Counter, Counter, list[Walled]]:
        if not hasattr(self, "walls_seen"):
            self.walls_seen = (Counter(), Counter(), [])  # pages answered, articles answered, walled, by host
        return self.walls_seen

    def host_answered(self, url: str, article: bool = False) -> None:
        """A page of url's host answered normally (not a wall) in this run."""
        answered, answered_articles, _ = self.wall_evidence()
        host = host_of(url)
        answered[host] += 1
        if article:
            answered_articles[host] += 1

    def article_walled(self, url: str, source: str, kind: str, reason: str, request) -> None:
        column, cms = request.meta.get("newscrawl_column", ""), request.cb_kwargs.get("cms", "auto")
        remember_failure(self.crawler, url=url, source=source or "unknown", kind=kind, reason=reason, column=column,
                         cms=cms, use_attempt=False)
        self.wall_evidence()[2].append(Walled(url, source or "unknown", kind, reason, column, cms))

    def judge_walls(self) -> None:
        """Count each walled article as blocked (the site's wall) or failed (its own), one log line per host."""
        answered, answered_articles, walled = self.wall_evidence()
        by_host: dict[str, list[Walled]] = {}
        for wall in walled:
            by_host.setdefault(host_of(wall.url), []).append(wall)
        for host, walls in by_host.items():
            evidence = f"{host} answered {answered[host]} other pages normally in this run ({answered_articles[host]} articles)"
            if the_sites_wall(answered[host], answered_articles[host], len(walls)):
                for wall in walls:
                    self.count("blocked", source=wall.source)
                self.logger.error("%s walled %d article(s) and %s: the site's wall, no attempt used (fetched again "
                                  "next run)", host, len(walls), evidence)
                continue
            self.logger.warning("%s: the wall on %d article(s) is theirs alone, each counted as an attempt", evidence,
                                len(walls))
            for wall in walls:
                article_failed(self.crawler, url=wall.url, source=wall.source, kind=wall.kind,
                               reason=f"{wall.reason} while {host} answered other pages: counted as an attempt",
                               column=wall.column, cms=wall.cms)
