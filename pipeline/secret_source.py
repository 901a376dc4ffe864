"""Secrets from the 1Password CLI: `[secrets] provider = "op"`.

`.env`-style names (KITE_API_KEY …) map to `op://vault/item/field` references, one
`[[secrets.op]]` table each. Each is read with `op read` when a process that may need it starts
(the code server, a run, a command), into that process's environment only, where Dagster's
`EnvVar` finds it as it finds a `.env` value: never written to disk, never logged, never in run
config. What `op` prints on failure is passed on (it names no secret); what it prints on
success is the secret, and goes nowhere but the environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field

PROVIDERS = ("env", "op")
# A name a shell and `.env` accept, and an `op://vault/item/[section/]field` reference.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REFERENCE = re.compile(r"^op://[^/\s][^/]*/[^/]+(/[^/]+){1,2}(\?[^\s]*)?$")
OP_TIMEOUT_SECONDS = 30  # the desktop app's approval prompt can take a while; a hang cannot
# Said by `op` when no account is signed in (CLI 2.x wordings).
_SIGNED_OUT = ("not currently signed in", "not signed in", "no accounts configured", "signin")
EXAMPLE = '{ name = "KITE_API_KEY", reference = "op://Private/Kite/api key" }'


@dataclass(frozen=True)
class SecretsSettings:
    """`[secrets]`: where secrets come from (`.env` alone, or `.env` then 1Password)."""

    provider: str = "env"
    op_path: str = "op"  # the 1Password CLI: a name on PATH or a path
    # `[[secrets.op]]`: NAME → "op://vault/item/field"; read only with provider = "op".
    op_refs: Mapping[str, str] = field(default_factory=dict)


class SecretSourceError(RuntimeError):
    """A secret could not be read from 1Password: which name, why, and the fix."""

    def __init__(self, name: str, problem: str, fix: str) -> None:
        self.name, self.problem, self.fix = name, problem, fix
        super().__init__(f"{name}: {problem}; {fix}")


def reference_problem(name: object, reference: object) -> str | None:
    """What is wrong with one `[[secrets.op]]` entry, or None."""
    if not isinstance(name, str) or not _NAME.match(name):
        return f"{name!r} is not an environment variable name (letters, digits, _)"
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        return f"is {reference!r}, not a 1Password secret reference op://vault/item/field"
    return None


def read_op(
    name: str, reference: str, op_path: str = "op", env: Mapping[str, str] | None = None
) -> str:
    """`op read --no-newline REFERENCE`: the secret, or SecretSourceError saying why not."""
    exe = shutil.which(op_path)
    if exe is None:
        raise SecretSourceError(
            name,
            f"the 1Password CLI `{op_path}` is not on PATH",
            "install it (https://developer.1password.com/docs/cli/get-started/) or set "
            '[secrets] op_path, or go back to .env with [secrets] provider = "env"',
        )
    try:
        done = subprocess.run(
            [exe, "read", "--no-newline", reference],
            capture_output=True,
            text=True,
            timeout=OP_TIMEOUT_SECONDS,
            env=dict(os.environ if env is None else env),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SecretSourceError(
            name,
            f"`op read` did not answer in {OP_TIMEOUT_SECONDS} s (waiting for an approval?)",
            "unlock the 1Password app, or use a service account (OP_SERVICE_ACCOUNT_TOKEN in "
            ".env) on an unattended server",
        ) from None
    if done.returncode == 0:
        return done.stdout
    said = " ".join(done.stderr.split())[:300] or f"exit {done.returncode}"
    if any(words in said.lower() for words in _SIGNED_OUT):
        raise SecretSourceError(
            name,
            f"the 1Password CLI is signed out ({said})",
            "run `eval $(op signin)` in this shell, or put OP_SERVICE_ACCOUNT_TOKEN in .env "
            "(mode 0600) for the always-on service",
        )
    raise SecretSourceError(
        name,
        f"`op read {reference}` failed ({said})",
        f"check it with `op read '{reference}'` and fix the [[secrets.op]] entry of {name}",
    )


def load_op_secrets(
    settings: SecretsSettings, environ: MutableMapping[str, str] | None = None
) -> tuple[list[str], list[SecretSourceError]]:
    """Read every `[[secrets.op]]` name not set already into `environ` (default: this process's).

    Returns (names loaded, problems), beancount-style: one secret that cannot be read does not
    stop the others. Nothing is read with provider = "env".
    """
    target = os.environ if environ is None else environ
    if settings.provider != "op":
        return [], []
    loaded, problems = [], []
    for name, reference in settings.op_refs.items():
        if name in target:
            continue  # the environment (or .env) wins, as for every other setting
        try:
            target[name] = read_op(name, reference, settings.op_path, env=target)
        except SecretSourceError as exc:
            problems.append(exc)
            continue
        loaded.append(name)
    return loaded, problems
