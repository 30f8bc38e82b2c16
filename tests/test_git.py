"""The one git runner: credentials only through environment config, never in argv or messages."""

from __future__ import annotations

from mlci.git import git_environment, short_sha


def test_the_token_travels_only_in_environment_config_for_the_remote_host() -> None:
    env = git_environment({"PATH": "/bin"}, token="tok", remote_url="https://github.com/o/r.git")
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    # The empty value first clears a header actions/checkout may have stored, so only one is sent.
    assert env["GIT_CONFIG_VALUE_0"] == ""
    assert env["GIT_CONFIG_VALUE_1"] == "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46dG9r"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    # Not for an ssh or local remote: git would never send it there.
    assert "GIT_CONFIG_COUNT" not in git_environment({}, token="tok", remote_url="git@github.com:o/r.git")


def test_configuration_already_in_the_environment_is_kept_and_the_header_added_after_it() -> None:
    env = git_environment(
        {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.pager",
            "GIT_CONFIG_VALUE_0": "cat",
            "GIT_CONFIG_NOSYSTEM": "1",
        },
        token="tok",
        remote_url="https://ghe.example.com/o/r.git",
    )
    assert env["GIT_CONFIG_COUNT"] == "3"
    assert (env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == ("core.pager", "cat")
    assert env["GIT_CONFIG_KEY_2"] == "http.https://ghe.example.com/.extraheader"
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"


def test_a_commit_is_shown_by_its_first_seven_characters() -> None:
    assert short_sha("0123456789abcdef" * 2 + "01234567") == "0123456"
    assert short_sha(None) == "no commit"
