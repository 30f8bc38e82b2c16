"""MLflow as a mirror of the results branch: recorded runs, registered versions and aliases copied
to a tracking server through its REST API (the `mlflow` package is not needed). An adapter the
commands hand in; the library never imports it."""
