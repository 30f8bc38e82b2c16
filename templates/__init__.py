"""The report templates, their partials, `mlci init`'s starting files and the comparison's JSON schema.

They live at the top of the repository, where users look for them, and ship inside the package as
`mlci.templates` (pyproject.toml maps this folder to it); read them with `importlib.resources`.
See README.md in this folder for what each renders and the context it gets.
"""
