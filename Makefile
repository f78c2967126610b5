# Two commands set up a fresh machine: `make crawl` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: crawl test eval bench clean browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

crawl: $(STAMP)
	$(PY) -m scrapy crawlall

# the health page's test renders it in a real headless browser: Debian's chromium (CI runs as root)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { apt-get update -q && apt-get install -y -q chromium; }

test: $(STAMP) browser
	$(PY) -m pytest

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
	rm -rf $(VENV) .pytest_cache
