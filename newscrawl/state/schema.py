"""The state's tables: one list of migrations, applied in order by both backends (SQLite's dialect;
the PostgreSQL backend translates the few types that differ)."""

SCHEMA_VERSION = 8
MIGRATIONS = {
    # version -> statements that bring a store from version-1 to version
    1: [
        """CREATE TABLE IF NOT EXISTS articles (
               urlname TEXT PRIMARY KEY,
               url TEXT NOT NULL,
               source TEXT NOT NULL,
               path TEXT NOT NULL,
               fingerprint TEXT NOT NULL,
               published TEXT,
               written_at REAL NOT NULL
           )""",
        "CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint)",
        "CREATE INDEX IF NOT EXISTS articles_source ON articles (source)",
    ],
    2: [
        # columns read to their last page at least once by a crawl that finished: only those may
        # stop paginating at a page of known articles (an interrupted first crawl must go on)
        "CREATE TABLE IF NOT EXISTS columns (url TEXT PRIMARY KEY, completed_at REAL NOT NULL)",
    ],
    3: [
        # 'archived' rows have a file; 'duplicate' rows are reposts of an archived text, recorded so
        # that an hourly run does not fetch every repost again forever
        "ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'archived'",
        # articles that did not reach the archive (download, extraction, write or state failure):
        # later runs retry them first, a bounded number of times
        """CREATE TABLE IF NOT EXISTS failures (
               urlname TEXT PRIMARY KEY,
               url TEXT NOT NULL,
               source TEXT NOT NULL,
               column_url TEXT NOT NULL DEFAULT '',
               cms TEXT NOT NULL DEFAULT 'auto',
               kind TEXT NOT NULL,
               reason TEXT NOT NULL DEFAULT '',
               attempts INTEGER NOT NULL DEFAULT 0,
               last_try REAL NOT NULL
           )""",
        "CREATE INDEX IF NOT EXISTS failures_source ON failures (source)",
        "CREATE INDEX IF NOT EXISTS failures_column ON failures (column_url)",
    ],
    4: [
        # run history: one row per source per run, for `scrapy report`; counts, failures and
        # problems are JSON objects/lists kept as text (plain SQL, portable to other databases)
        """CREATE TABLE IF NOT EXISTS runs (
               source TEXT NOT NULL,
               started_at REAL NOT NULL,
               duration_s REAL NOT NULL,
               status TEXT NOT NULL,
               exit_code INTEGER NOT NULL,
               articles_written INTEGER NOT NULL DEFAULT 0,
               counts TEXT NOT NULL DEFAULT '{}',
               failures TEXT NOT NULL DEFAULT '{}',
               problems TEXT NOT NULL DEFAULT '[]'
           )""",
        "CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at)",
    ],
    5: [
        # conditional requests (issue 17): the validators a list page was last answered with, saved
        # only once every article it linked is recorded, so that a 304 never hides an article
        """CREATE TABLE IF NOT EXISTS validators (
               url TEXT PRIMARY KEY,
               etag TEXT NOT NULL DEFAULT '',
               last_modified TEXT NOT NULL DEFAULT '',
               saved_at REAL NOT NULL
           )""",
        # robots.txt per host (host[:port], as Scrapy keys it), reused for NEWSCRAWL_ROBOTS_TTL
        # seconds; the body as received (at most NEWSCRAWL_ROBOTS_MAXSIZE bytes)
        """CREATE TABLE IF NOT EXISTS robots (
               host TEXT PRIMARY KEY,
               status INTEGER NOT NULL,
               body BLOB NOT NULL,
               etag TEXT NOT NULL DEFAULT '',
               last_modified TEXT NOT NULL DEFAULT '',
               fetched_at REAL NOT NULL
           )""",
    ],
    6: [
        # re-checks and revisions: an archived article's validators, its publication time as a Unix
        # time (the re-check schedule counts from it), when it was last checked, how often its text
        # changed, when, the MD5 of the text it replaced, and when the site withdrew it
        "ALTER TABLE articles ADD COLUMN etag TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE articles ADD COLUMN last_modified TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE articles ADD COLUMN published_at REAL",
        "ALTER TABLE articles ADD COLUMN checked_at REAL",
        "ALTER TABLE articles ADD COLUMN revisions INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE articles ADD COLUMN revised_at REAL",
        "ALTER TABLE articles ADD COLUMN previous_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE articles ADD COLUMN withdrawn_at REAL",
        "ALTER TABLE articles ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT ''",
    ],
    7: [
        # the CMS's own list feed of a column (WebPlus list API, VSB RSS), or kind 'none' when the
        # column has none that answers: detected once, re-detected after a while
        """CREATE TABLE IF NOT EXISTS feeds (
               column_url TEXT PRIMARY KEY,
               kind TEXT NOT NULL,
               endpoint TEXT NOT NULL DEFAULT '',
               params TEXT NOT NULL DEFAULT '{}',
               reason TEXT NOT NULL DEFAULT '',
               checked_at REAL NOT NULL
           )""",
    ],
    8: [
        # the archive's kept files (NEWSCRAWL_FILES): one row per file URL, whatever happened to it
        # (kept: stored under its content hash in `path`; failed: retried by later runs a bounded
        # number of times; too_large, offsite, page: not kept, not retried); BIGINT: sizes past 2 GB
        """CREATE TABLE IF NOT EXISTS files (
               url TEXT PRIMARY KEY,
               source TEXT NOT NULL,
               kind TEXT NOT NULL,
               status TEXT NOT NULL,
               path TEXT NOT NULL DEFAULT '',
               sha256 TEXT NOT NULL DEFAULT '',
               size BIGINT NOT NULL DEFAULT 0,
               type TEXT NOT NULL DEFAULT '',
               reason TEXT NOT NULL DEFAULT '',
               attempts INTEGER NOT NULL DEFAULT 0,
               last_try REAL NOT NULL
           )""",
        "CREATE INDEX IF NOT EXISTS files_source_status ON files (source, status)",
        # which archived articles link which file: a file kept on a later run is linked into them
        """CREATE TABLE IF NOT EXISTS file_links (
               url TEXT NOT NULL,
               urlname TEXT NOT NULL,
               PRIMARY KEY (url, urlname)
           )""",
    ],
}
