"""Training the models declared in `mlci.yaml`: `mlci.training.train` runs them one after the other
(see there); the other modules are its parts.

Deliberately empty: comparing imports a helper or two from here (how test inputs are fingerprinted),
and importing a package runs its `__init__`, which must not load every training mode for that.
"""
