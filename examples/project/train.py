"""Train the `diabetes` model: gradient boosting on scikit-learn's diabetes data.

mlci runs this script as the model's `command` and reads what it writes:
  out/metrics.json     {"test": {"r2": ..., "mae": ...}}  (mlci.yaml names them test.r2 and test.mae)
  out/predictions.csv  y_true,y_pred for every held-out row
  out/model.skops      the fitted model, saved with skops rather than pickle so it is safe to load

Any program that writes a metrics file works the same way; nothing here depends on mlci.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from skops.io import dump

HERE = Path(__file__).resolve().parent
TARGET = "progression"


def main() -> None:
    params = yaml.safe_load((HERE / "params.yaml").read_text())
    data = pd.read_csv(HERE / "data" / "diabetes.csv")
    features, target = data.drop(columns=TARGET), data[TARGET]
    x_train, x_test, y_train, y_test = train_test_split(
        features, target, test_size=params["split"]["test_size"], random_state=params["split"]["seed"]
    )

    model = GradientBoostingRegressor(**params["model"]).fit(x_train, y_train)
    predicted = model.predict(x_test)

    out = HERE / "out"
    out.mkdir(exist_ok=True)
    metrics = {"test": {"r2": r2_score(y_test, predicted), "mae": mean_absolute_error(y_test, predicted)}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    pd.DataFrame({"y_true": y_test, "y_pred": predicted}).to_csv(out / "predictions.csv", index=False)
    dump(model, out / "model.skops")
    print(f"diabetes: r2={metrics['test']['r2']:.3f} mae={metrics['test']['mae']:.2f} on {len(y_test)} rows")


if __name__ == "__main__":
    main()
