"""`homeclerk doctor`: every reason the pipeline could be quietly wrong, as findings with fixes.

`checks.py` looks at the settings, stores, feeds, runs and asset checks; `service_checks.py` at
the always-on service; `findings.py` holds what both report with and the report itself.
"""

from pipeline.doctor.checks import run_checks
from pipeline.doctor.findings import Finding, doctor_exit_code, render, render_json

__all__ = ["Finding", "doctor_exit_code", "render", "render_json", "run_checks"]
