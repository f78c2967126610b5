"""`scrapy state`: report the incremental state; --prune forgets missing files; --rebuild re-reads the archive."""

from __future__ import annotations

import logging

from scrapy.commands import ScrapyCommand

from newscrawl.rebuild import rebuild_from_archive
from newscrawl.state import StateError, open_store, state_name
from newscrawl.paths import files_dir, output_folder

logger = logging.getLogger("newscrawl.state")


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_LEVEL": "INFO"}

    def syntax(self):
        return "[--prune] [--rebuild] [--retry]"

    def short_desc(self):
        return "Report the incremental state; prune rows of missing files or rebuild it from the archive"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("--prune", action="store_true", help="forget articles whose archive file is gone")
        parser.add_argument("--retry", action="store_true", help="give failed articles and files that were given up on their attempts back")
        parser.add_argument("--rebuild", action="store_true", help="record every archive file found in the output directory")

    def run(self, args, opts):
        output_dir = output_folder(self.settings)
        path = state_name(self.settings)
        try:
            # only --rebuild may create the state, from an archive folder that exists
            store = open_store(self.settings, create=opts.rebuild and output_dir.is_dir())
        except StateError as exc:
            logger.error("%s", exc)
            self.exitcode = 2
            return
        try:
            if opts.rebuild:
                logger.info("recorded %d archive files from %s", rebuild_from_archive(store, output_dir, files_dir(self.settings)), output_dir)
            missing = store.missing_files(output_dir.resolve())
            if opts.prune and missing:
                print(f"forgot {store.forget(missing)} articles whose file is gone: the next crawl fetches them again")
                missing = []
            if opts.retry:
                print(f"{store.retry_given_up()} failed articles get their attempts back")
                print(f"{store.retry_given_up_files()} failed files get their attempts back")
            # the report is the command's output: stdout, whatever the log level
            print(f"state {path}: {store.count()} articles archived")
            for source, count in store.sources():
                print(f"  {source:<20} {count}")
            files = store.file_counts()
            if files:
                print("files: " + ", ".join(f"{status} {n}" for status, n in sorted(files.items())))
            failures = store.failures()
            if failures:
                print(f"{len(failures)} failed articles pending a retry or given up:")
                for row in failures[:50]:
                    print(f"  {row['source']:<12} {row['kind']:<16} attempts {row['attempts']}  {row['url']}")
            if missing:
                logger.warning("%d recorded articles have no archive file (run with --prune to forget them, "
                               "so the next crawl fetches them again)", len(missing))
        finally:
            store.close()
