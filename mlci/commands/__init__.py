"""The commands: one module per `mlci` command, plain functions that the click layer (`mlci.cli`)
calls with parsed options. They bring the parts together: the config, the library packages, and
the adapters to the world outside (git with its credentials, GitHub, the step outputs), which they
hand to the library code instead of letting it find them."""
