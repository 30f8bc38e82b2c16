"""Getting the estimator a model declares: a dotted class and its params, or an entrypoint function.

Both are imported with the config's folder first on `sys.path`, so a project's own modules (a
custom transformer, a `models.py` with factory functions) work without being installed.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from mlci.config import Config, ModelSpec
from mlci.config.fields import ConfigField, model_field
from mlci.errors import ConfigError, MlciError, TrainingError

# sklearn reports a rejected parameter value as "The 'C' parameter of LogisticRegression must be ...".
REJECTED_PARAM = re.compile(r"The '(\w+)' parameter of \w+ must be")


@contextmanager
def project_imports(root: Path, module: str) -> Iterator[None]:
    """Make `module` importable from `root` for the duration, then restore `sys.path`."""
    top = module.split(".", 1)[0]
    if (root / f"{top}.py").is_file() or (root / top).is_dir():
        # A long-lived process (tests, a notebook) may hold a copy of this module imported from
        # another project folder, or from before the file was edited; import it afresh.
        for name in [name for name in sys.modules if name == top or name.startswith(f"{top}.")]:
            del sys.modules[name]
    entry = str(root)
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        if entry in sys.path:
            sys.path.remove(entry)


def is_estimator(obj: Any) -> bool:
    """Whether `obj` (an instance) looks like a scikit-learn model: it can be fitted and predict."""
    return callable(getattr(obj, "fit", None)) and callable(getattr(obj, "predict", None))


def import_estimator_class(config: Config, model: ModelSpec) -> type:
    """The class named by `models.<name>.estimator.class`; `ConfigError` at that line when the
    module or class does not exist or is not an estimator."""
    assert model.estimator is not None
    field = model_field(config, model.name, "estimator", "class")
    dotted = model.estimator.class_name
    module_name, _, class_name = dotted.rpartition(".")
    with project_imports(config.root, module_name):
        module = _import_module(module_name, field=field, wanted=dotted, root=config.root)
    cls = getattr(module, class_name, None)
    if cls is None:
        classes = [name for name, value in vars(module).items() if inspect.isclass(value) and not name.startswith("_")]
        close = difflib.get_close_matches(class_name, classes, n=1)
        hint = f"did you mean {module_name}.{close[0]}?" if close else _sklearn_suggestion(dotted)
        raise field.error(f"module {module_name} has no class {class_name}", hint=_sentence(hint))
    if not inspect.isclass(cls):
        raise field.error(f"{dotted} is a {type(cls).__name__}, not a class")
    if not callable(getattr(cls, "fit", None)):
        raise field.error(f"{dotted} is not an estimator: it has no fit method")
    if not callable(getattr(cls, "predict", None)):
        what = "a transformer" if callable(getattr(cls, "transform", None)) else "not a model"
        raise field.error(
            f"{dotted} is {what}: it has no predict method",
            hint="mlci trains models that predict a target; put transformers in a Pipeline "
            "before a model, or use an entrypoint that returns the Pipeline.",
        )
    return cls


def build_estimator(config: Config, model: ModelSpec) -> Any:
    """An unfitted instance of the declared class with its params; `ConfigError` at the params
    field naming a parameter the class does not take (and listing those it does)."""
    assert model.estimator is not None
    cls = import_estimator_class(config, model)
    params = model.estimator.params
    field = model_field(config, model.name, "estimator", "params")
    accepted = _init_parameters(cls)
    if accepted is not None:
        for name in params:
            if name not in accepted:
                close = difflib.get_close_matches(name, sorted(accepted), n=1)
                guess = f" (did you mean `{close[0]}`?)" if close else ""
                raise field.child(name).error(
                    f"{cls.__name__} has no parameter {name!r}{guess}",
                    hint=f"Its parameters are: {', '.join(sorted(accepted)) or 'none'}.",
                )
    try:
        return cls(**params)
    except (Exception, SystemExit) as exc:
        raise field.error(f"{cls.__name__}({_call_text(params)}) failed: {failure_text(exc)}") from None


def check_param_values(config: Config, model: ModelSpec, estimator: Any) -> None:
    """Check parameter values the way `fit` would, without fitting, when the estimator can.

    scikit-learn checks values (a negative `C`, an unknown `solver`) only in `fit`; its private
    `_validate_params` lets `mlci validate` report them, with their line, before any training.
    """
    validate = getattr(estimator, "_validate_params", None)
    if not callable(validate):
        return
    try:
        validate()
    except Exception as exc:
        error: MlciError | None = param_error(config, model, exc)
        if error is None:
            error = model_field(config, model.name, "estimator", "params").error(f"{type(exc).__name__}: {exc}")
        raise error from None


def param_error(config: Config, model: ModelSpec, exc: BaseException) -> ConfigError | None:
    """A `ConfigError` at the offending param for scikit-learn's "invalid parameter" error, else None."""
    if type(exc).__name__ != "InvalidParameterError":
        return None
    if model.mode != "declarative" or model.estimator is None:
        field = model_field(config, model.name, "entrypoint")
    else:
        field = model_field(config, model.name, "estimator", "params")
        match = REJECTED_PARAM.search(str(exc))
        if match and match.group(1) in model.estimator.params:
            field = field.child(match.group(1))
    error = field.error(str(exc).strip())
    assert isinstance(error, ConfigError)
    return error


def check_entrypoint(config: Config, model: ModelSpec) -> Callable[[], Any]:
    """The function named by `models.<name>.entrypoint`, imported but not called."""
    assert model.entrypoint is not None
    with project_imports(config.root, model.entrypoint.split(":")[0]):
        return _entrypoint_function(config, model)


def load_entrypoint(config: Config, model: ModelSpec) -> Any:
    """Call the model's entrypoint with no arguments; it must return an unfitted estimator or
    Pipeline, else `TrainingError` naming it and what it returned."""
    assert model.entrypoint is not None
    field = model_field(config, model.name, "entrypoint")
    # The function may import more of the project when called, so the path stays set up meanwhile.
    with project_imports(config.root, model.entrypoint.split(":")[0]):
        function = _entrypoint_function(config, model)
        try:
            estimator = function()
        except (Exception, SystemExit) as exc:
            did = exit_text(exc) if isinstance(exc, SystemExit) else f"raised {type(exc).__name__}: {exc}"
            raise field.error(f"{model.entrypoint}() {did}{_where(exc, config.root)}", kind=TrainingError) from None
    if inspect.isclass(estimator) and is_estimator(estimator):
        raise field.error(
            f"{model.entrypoint}() returned the class {estimator.__name__}, not an instance",
            kind=TrainingError,
            hint=f"Return {estimator.__name__}(...) instead.",
        )
    if not is_estimator(estimator):
        shown = repr(estimator)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise field.error(
            f"{model.entrypoint}() returned {type(estimator).__name__} {shown}, not an estimator",
            kind=TrainingError,
            hint="It must return an unfitted scikit-learn estimator or Pipeline (with fit and predict).",
        )
    return estimator


def _entrypoint_function(config: Config, model: ModelSpec) -> Callable[[], Any]:
    assert model.entrypoint is not None
    field = model_field(config, model.name, "entrypoint")
    module_name, function_name = model.entrypoint.split(":")
    module = _import_module(module_name, field=field, wanted=model.entrypoint, root=config.root)
    function = getattr(module, function_name, None)
    if function is None:
        functions = [name for name, value in vars(module).items() if callable(value) and not name.startswith("_")]
        close = difflib.get_close_matches(function_name, functions, n=1)
        raise field.error(
            f"module {module_name} has no function {function_name}",
            hint=f"Did you mean {module_name}:{close[0]}?" if close else None,
        )
    if not callable(function):
        raise field.error(f"{model.entrypoint} is a {type(function).__name__}, not a function")
    return function


def _import_module(module_name: str, *, field: ConfigField, wanted: str, root: Path) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if module_name == missing or module_name.startswith(f"{missing}."):
            raise field.error(
                f"cannot import {wanted}: there is no module named {missing}",
                hint=_sentence(_module_suggestion(missing) or _sklearn_suggestion(wanted)),
            ) from None
        raise field.error(
            f"importing {module_name} failed: it needs the module {missing}, which is not installed",
            hint=f"Install the package that provides {missing}.",
        ) from None
    except (Exception, SystemExit) as exc:
        raise field.error(f"importing {module_name} failed: {failure_text(exc)}{_where(exc, root)}") from None


def failure_text(exc: BaseException) -> str:
    """What project code did instead of returning: `ValueError: bad shape`, `it called sys.exit(5)`."""
    if isinstance(exc, SystemExit):
        return f"it {exit_text(exc)}"
    return f"{type(exc).__name__}: {exc}"


def exit_text(exc: SystemExit) -> str:
    """`called sys.exit(5)`: a SystemExit raised by project code, which must fail its model, not end mlci."""
    return f"called sys.exit({'' if exc.code is None else repr(exc.code)})"


def _module_suggestion(missing: str) -> str | None:
    parent, _, leaf = missing.rpartition(".")
    if not parent:
        return None
    try:
        package = importlib.import_module(parent)
    except Exception:
        return None
    names = [
        info.name for info in pkgutil.iter_modules(getattr(package, "__path__", [])) if not info.name.startswith("_")
    ]
    close = difflib.get_close_matches(leaf, names, n=1)
    return f"did you mean {parent}.{close[0]}?" if close else None


def _sklearn_suggestion(wanted: str) -> str | None:
    """Where scikit-learn keeps a class of that name (or a close one), for `sklearn.LogisticRegression`."""
    if not wanted.startswith("sklearn"):
        return None
    from sklearn.utils import all_estimators

    leaf = wanted.rsplit(".", 1)[-1]
    known = {name: cls for name, cls in all_estimators()}
    close = difflib.get_close_matches(leaf, list(known), n=1)
    if not close:
        return None
    cls = known[close[0]]
    public = ".".join(part for part in cls.__module__.split(".") if not part.startswith("_"))
    return f"did you mean {public}.{cls.__name__}?"


def _init_parameters(cls: type) -> set[str] | None:
    """The keyword arguments `cls` accepts, or None when it takes any (`**kwargs`)."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return None
    names = set()
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_POSITIONAL:
            names.add(name)
    return names


def _call_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in params.items())


def _where(exc: BaseException, root: Path) -> str:
    """` (at models.py:12)`: the deepest frame of the traceback in the project's own files (the line
    the user can fix), else the deepest frame of all."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    own = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(root)]
    last = (own or frames)[-1]
    shown = Path(last.filename).resolve().relative_to(root).as_posix() if own else Path(last.filename).name
    return f" (at {shown}:{last.lineno})"


def _sentence(text: str | None) -> str | None:
    return text[0].upper() + text[1:] if text else None
