"""Errors that point at the field of `mlci.yaml` they are about, whatever their kind.

A missing data file is a `DataError` and a command that fails is a `TrainingError`, but the person
fixing either wants to know which line of `mlci.yaml` set it up, so every error raised while
training a model starts with `mlci.yaml:LINE: models.NAME.FIELD:`.
"""

from __future__ import annotations

from mlci.config.records import record
from mlci.config.schema import Config, ModelSpec
from mlci.config.yamlsource import FieldPath
from mlci.errors import ConfigError, MlciError


@record
class ConfigField:
    """One field of `mlci.yaml`, able to raise errors located at its line."""

    config: Config
    path: FieldPath

    def child(self, *parts: str | int) -> ConfigField:
        return ConfigField(self.config, (*self.path, *parts))

    def error(self, message: str, *, kind: type[MlciError] = ConfigError, hint: str | None = None) -> MlciError:
        """An error of class `kind` whose message names file, line and field, then `message`."""
        located = self.config.error(self.path, message, hint=hint)
        if kind is ConfigError:
            return located
        return kind(located.message, hint=hint)


def model_field(config: Config, model: str, *parts: str | int) -> ConfigField:
    """The field `models.<model>.<parts...>`."""
    return ConfigField(config, ("models", model, *parts))


def monitor_field(config: Config, model: ModelSpec, key: str) -> ConfigField | None:
    """Where `key` of `model`'s monitoring was set: the model's own `monitor:`, else the
    repository-wide one; None when neither sets it."""
    if config.source is not None:
        models = config.source.data.get("models") or {}
        own = (models.get(model.name) or {}).get("monitor")
        set_here = isinstance(own, dict) and own.get(key) is not None
    else:  # a config built in code has no file to look in: a value of its own is the model's
        set_here = getattr(model.monitor, key) != getattr(config.monitor, key)
    if set_here:
        return model_field(config, model.name, "monitor", key)
    if getattr(config.monitor, key) is not None:
        return ConfigField(config, ("monitor", key))
    return None
