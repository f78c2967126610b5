"""Issue 15 item 9: no secret of a PostgreSQL connection string is ever printed, whichever form carries it."""


import pytest
from scrapy.settings import Settings

from conftest import scrapy
from newscrawl.state import PostgresStateStore, StateError, state_name
from newscrawl.state.redact import redacted

# each form libpq reads a secret in; the server is a closed loopback port, so connecting fails at once
FORMS = {
    "userinfo": ("postgresql://crawler:S3cretPw@127.0.0.1:1/news", ["S3cretPw"]),
    "percent-encoded userinfo": ("postgresql://crawler:S3cret%40Pw%2F@127.0.0.1:1/news", ["S3cret%40Pw%2F", "S3cret@Pw/"]),
    "query": ("postgresql://crawler@127.0.0.1:1/news?password=S3cretPw&connect_timeout=2", ["S3cretPw"]),
    "query, encoded": ("postgres://crawler@127.0.0.1:1/news?password=S3cret%20Pw%21", ["S3cret%20Pw%21", "S3cret Pw!"]),
    "sslpassword": ("postgresql://crawler:S3cretPw@127.0.0.1:1/news?sslpassword=KeyPass99&sslmode=disable",
                    ["S3cretPw", "KeyPass99"]),
    "keyword=value": ("host=127.0.0.1 port=1 user=crawler password=S3cretPw dbname=news", ["S3cretPw"]),
    "keyword = value, quoted": ("host=127.0.0.1 port=1 password = 'S3cret Pw\\'s' sslpassword=KeyPass99 dbname=news",
                                ["S3cret Pw\\'s", "S3cret Pw's", "KeyPass99"]),
    "oauth secret": ("host=127.0.0.1 port=1 oauth_client_secret=OauthS3cret dbname=news", ["OauthS3cret"]),
    # libpq refuses it, quoting a piece of the password in its message
    "malformed": ("host=127.0.0.1 port=1 password=S3cret Pwx dbname=news", ["S3cret", "Pwx"]),
}


def leaks(text: str, secrets) -> list[str]:
    return [secret for secret in secrets if secret in text]


@pytest.mark.parametrize("form", FORMS)
def test_the_connection_string_itself_is_shown_without_its_secrets(form):
    url, secrets = FORMS[form]
    shown = redacted(url)
    assert not leaks(shown, secrets) and "***" in shown
    assert "127.0.0.1" in shown and "news" in shown  # still says which database


@pytest.mark.parametrize("form", FORMS)
def test_a_failed_connection_says_so_without_a_secret(form):
    url, secrets = FORMS[form]
    with pytest.raises(StateError) as failed:
        PostgresStateStore(url, timeout=2)
    message = str(failed.value)
    assert message.startswith("state database ") and "\n" not in message
    assert not leaks(message, secrets), message


def test_every_command_masks_the_secrets(tmp_path):
    url, secrets = FORMS["sslpassword"]
    assert not leaks(state_name(Settings({"NEWSCRAWL_STATE_URL": url})), secrets)
    for args in (["crawl", "cumt"], ["state"], ["report", "--out", str(tmp_path / "r.html")]):
        result = scrapy(*args, "-s", f"NEWSCRAWL_OUTPUT_DIR={tmp_path}", "-s", f"NEWSCRAWL_STATE_URL={url}",
                        "-s", "NEWSCRAWL_STATE_TIMEOUT=2", timeout=60)
        assert result.returncode != 0
        assert "127.0.0.1" in result.stdout + result.stderr  # the message is there, and names the database
        assert not leaks(result.stdout + result.stderr, secrets), result.stderr[-2000:]
