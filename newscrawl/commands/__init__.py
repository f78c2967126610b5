"""Scrapy commands: crawl (with an exit status for cron), crawlall, state."""
