"""mlci on GitHub: the run's context, a REST client, and the things mlci writes to GitHub.

- `context`: what the workflow run is about (event, PR, SHAs), read from the Actions environment.
- `client`: a small REST client with retries, rate-limit waits and clear errors (`errors`).
- `comments`: the one PR comment per report, created once and then kept up to date.
- `status`: commit statuses.
- `actions_io`: step outputs, the job summary and workflow-command annotations.

Nothing here is imported by `mlci --help`, `mlci compare` or `mlci report` without `--post`:
the client pulls in `requests`.
"""
