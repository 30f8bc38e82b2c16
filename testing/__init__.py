"""Fakes and factories the tests share: the stand-in GitHub server, and helpers that build real git
repositories and runs. Not shipped with mlci (only the `mlci` package is)."""
