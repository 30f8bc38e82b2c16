"""The model registry: numbered versions, aliases, and the history of every alias move."""
