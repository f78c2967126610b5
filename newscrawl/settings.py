"""Scrapy settings for newscrawl: polite defaults for small university servers."""

import os

from newscrawl import logfilters
from newscrawl.items import EXPORT_FIELDS

# Scrapy's settings and stats dumps go to DEBUG: at INFO a run prints its start, summaries, problems.
logfilters.install()

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
SPIDER_LOADER_CLASS = "newscrawl.spiderloader.SourceSpiderLoader"
COMMANDS_MODULE = "newscrawl.commands"

# ---- newscrawl's own settings (override with -s NAME=value) ------------------------------
NEWSCRAWL_OUTPUT_DIR = "output"          # archive Markdown goes to <dir>/<source>/<urlname>.md
NEWSCRAWL_STATE_PATH = ""                # default: <NEWSCRAWL_OUTPUT_DIR>/.newscrawl-state.sqlite3
# postgresql://user@host/db: the state in PostgreSQL, shared by crawls on several machines (docs/scale-out.md);
# read from the environment too, so a password never has to appear on a command line
NEWSCRAWL_STATE_URL = os.environ.get("NEWSCRAWL_STATE_URL", "")
# default: the sources.yaml shipped in the package; read from the environment too, like the state URL
NEWSCRAWL_SOURCES_FILE = os.environ.get("NEWSCRAWL_SOURCES_FILE", "")
NEWSCRAWL_VIEWS = True                   # fetch view counts from the site's counter URL
NEWSCRAWL_MAX_PAGES = 500                # list pages per column per run (a cap on endless pagination); 0 = no cap
NEWSCRAWL_MAX_LINKS_PER_PAGE = 1000      # article links followed per list page (logged when a page has more)
NEWSCRAWL_MAX_ATTEMPTS = 3               # runs that try a failed article before giving up on it
NEWSCRAWL_STATE_TIMEOUT = 30.0           # seconds to wait for a state file another process is writing
NEWSCRAWL_STOP_AT_KNOWN_PAGE = True      # stop paginating at a page whose articles are all archived
NEWSCRAWL_FULL = False                   # like -a full=1: re-crawl articles already archived
NEWSCRAWL_WRITE_ARCHIVE = True           # write archive Markdown files
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"
NEWSCRAWL_MAX_FAILED_SHARE = 0.5         # a source whose new articles fail more than this is broken
NEWSCRAWL_HISTORY_DAYS = 400            # run history (for `scrapy report`) kept this many days; 0 = keep none
NEWSCRAWL_SUMMARY_JSON = True            # also write <output>/.newscrawl/<source>.last-crawl.json
NEWSCRAWL_DISCOVER_MAX_PAGES = 60        # `scrapy discover`: pages read at most per site
# files kept with the articles (docs/files.md)
NEWSCRAWL_FILES = "attachments"          # off | attachments | all (attachments and pictures)
NEWSCRAWL_FILES_MAXSIZE = 50 * 1024 * 1024  # bytes; a larger file is not kept, its link stays the original
NEWSCRAWL_FILES_URL = "/files/"          # where the published site serves the files folder (hugo/hugo.toml)
NEWSCRAWL_FILES_CONCURRENCY = 2          # file downloads at once, all sites together (each is held in memory)
FILES_STORE = ""                         # the files folder; default: <NEWSCRAWL_OUTPUT_DIR>/files
MEDIA_ALLOW_REDIRECTS = True             # download.jsp links redirect to the file
NEWSCRAWL_WARC_DIR = ""                  # also write every article page and kept file to WARC files here
NEWSCRAWL_WARC_MAX_SIZE = 1024 * 1024 * 1024  # bytes; a WARC file this large is closed, the next one begun
NEWSCRAWL_THEPAPER_PPH_API = "https://api.thepaper.cn/contentapi/cont/pph/user"  # 澎湃号 article list
# ---- cheap for the sites, aware of edits (docs/conditional.md) ------------------------------
NEWSCRAWL_CONDITIONAL = True             # list pages (and re-checked articles) asked with If-None-Match/-Modified-Since
NEWSCRAWL_ROBOTS_TTL = 86400             # seconds a host's robots.txt is reused from the state; 0 = fetch every run
NEWSCRAWL_ROBOTS_MAXSIZE = 512 * 1024    # bytes of a robots.txt read at most (RFC 9309: at least 500 KiB)
NEWSCRAWL_RECHECK = "1d,7d,30d"          # re-check archived articles this long after publication ('' = never)
NEWSCRAWL_RECHECK_PER_RUN = 20           # re-checks per source per run at most (-a recheck=1: all, now)
NEWSCRAWL_LASTMOD = False                # add Hugo's lastmod: to the front matter of a revised file
NEWSCRAWL_FEEDS = True                   # read columns through the CMS's list API / RSS where one answers
NEWSCRAWL_FEED_ROWS = 1000               # rows asked per list API / RSS request

# ---- politeness ---------------------------------------------------------------------------
# USER_AGENT left empty: the spider sends "newscrawl/<version> (+NEWSCRAWL_CONTACT_URL)"
USER_AGENT = ""
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5              # ±50% around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
# Scrapy starts this many asyncio workers for EVERY callback's output (default 100); a callback here
# yields one article or a page of links, and the pipelines are synchronous: 100 workers per response
# were most of crawlall's CPU on 1,000 sources
CONCURRENT_ITEMS = 8

NEWSCRAWL_RETRY_BACKOFF_BASE = 2.0       # seconds before the first retry; doubles each time
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0

DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100): a request off its source never goes out, not even for robots.txt
    "newscrawl.middlewares.OffsiteGuardMiddleware": 50,
    # Scrapy's robots.txt middleware, fed from the state's cache and bounded in size (newscrawl/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.robots.CachedRobotsTxtMiddleware": 100,
    # process_response runs from high to low: these see the body after HttpCompression (590)
    "newscrawl.middlewares.EncodingMiddleware": 585,
    "newscrawl.middlewares.AntiBotMiddleware": 580,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "newscrawl.pipelines.CleanPipeline": 100,
    "newscrawl.pipelines.NormalizePipeline": 200,
    "newscrawl.pipelines.ValidatePipeline": 300,
    "newscrawl.pipelines.DedupePipeline": 400,
    "newscrawl.pipelines.ArchiveFilesPipeline": 450,
    "newscrawl.pipelines.ArchiveWriterPipeline": 500,
}
EXTENSIONS = {
    "newscrawl.summary.CrawlSummary": 500,
    "newscrawl.warc.WarcCapture": 510,  # only with NEWSCRAWL_WARC_DIR
}

# a cron job opens no listening port
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# one line per dropped or failed article, never the item itself
LOG_FORMATTER = "newscrawl.logformatter.OneLineLogFormatter"

FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = EXPORT_FIELDS
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
