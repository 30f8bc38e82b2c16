"""Comparing runs: the result model (`result`), the rules (`build`, `gates`) and the glue that finds
the base (`with_base`)."""
