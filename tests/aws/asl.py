"""A small interpreter of the Amazon States Language subset the daily pipeline uses.

It walks a state machine definition state by state, as Step Functions does: InputPath, Parameters
(``.$`` keys, JSONPath ``$.a.b``, the intrinsics ``States.StringToJson`` and ``States.Format``),
the task, ResultSelector, ResultPath, OutputPath; Choice (StringEquals, BooleanEquals, StringMatches,
NumericGreaterThanEquals, IsPresent, And), Pass, Map (inline, one item at a time), Succeed, Fail
(Error/Cause or ErrorPath/CausePath), Retry (attempts counted, intervals not slept) and Catch. Tasks
are run by a callback, so the Lambda functions and Glue jobs behind them are whatever the test plugs
in. A state or field outside this subset is refused, so the interpreter cannot silently skip part of
a definition.

It fails where Step Functions fails (tests/aws/test_asl.py pins each rule with the page it follows):

* ``States.Runtime`` (a path that is not in the data, in any state) and ``States.DataLimitExceeded``
  are terminal: no Retry or Catch handles them, ``States.ALL`` included, and the execution fails;
* a state's input or output, a task's result and the execution's input are held to 256 KiB of UTF-8;
* ``StringMatches`` takes only ``*`` as a wildcard (``\\*`` is a literal star, ``\\\\`` a backslash);
* Retry and Catch are checked against the ASL spec before the execution starts (an unknown field such
  as ``MaxAttempt``, a missing ``ErrorEquals`` or ``Next``, ``States.ALL`` not alone and last);
* an execution that reaches the 25,000 events of Step Functions' history quota fails (the loop guard).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STATE_FIELDS = {
    "Type", "Comment", "Next", "End", "InputPath", "Parameters", "ResultSelector", "ResultPath",
    "OutputPath", "Resource", "Retry", "Catch", "Choices", "Default", "ItemsPath", "ItemProcessor",
    "MaxConcurrency", "Error", "Cause", "ErrorPath", "CausePath", "Result",
}  # fmt: skip
MACHINE_FIELDS = {"StartAt", "States", "Comment", "TimeoutSeconds", "Version"}
RETRIER_FIELDS = {
    "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
    "Comment",
}  # fmt: skip
CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Comment"}
# Errors no Retry or Catch handles: the execution fails (Step Functions developer guide, "Handling
# errors in Step Functions workflows": States.ALL cannot catch them, and they always fail the execution).
TERMINAL_ERRORS = frozenset({"States.Runtime", "States.DataLimitExceeded"})
# Step Functions service quotas: 256 KiB for an input or output (UTF-8), 25,000 history events.
PAYLOAD_LIMIT = 256 * 1024
HISTORY_LIMIT = 25_000


class TaskError(Exception):
    """A task failed with a Step Functions error name and cause."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


class ExecutionFailed(Exception):
    """The execution ended in a Fail state (or an uncaught error)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


TaskRunner = Callable[[str, Any], Any]
"""``run(resource, effective_input) -> result``; raises :class:`TaskError`."""


class DefinitionError(ValueError):
    """The definition breaks the Amazon States Language: Step Functions would refuse to create it."""


@dataclass
class Execution:
    visited: list[str] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    events: int = 0  # history events, counted as Step Functions writes them (see _history)


_MISSING = object()


def get_path(data: Any, path: str) -> Any:
    if path == "$":
        return data
    if not path.startswith("$."):
        raise ValueError(f"unsupported path {path!r}")
    value = data
    for part in path[2:].split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _must(data: Any, path: str) -> Any:
    value = get_path(data, path)
    if value is _MISSING:
        raise TaskError("States.Runtime", f"the JSONPath {path!r} could not be found in the input")
    return value


def set_path(data: Any, path: str | None, value: Any) -> Any:
    if path is None:
        return data
    if path == "$":
        return value
    result = copy.deepcopy(data) if isinstance(data, dict) else {}
    target = result
    parts = path[2:].split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return result


_INTRINSIC = re.compile(r"^(States\.[A-Za-z]+)\((.*)\)$")


def _arguments(text: str) -> list[str]:
    args, current, quoted = [], "", False
    for char in text:
        if char == "'" and not current.endswith("\\"):
            quoted = not quoted
        if char == "," and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        args.append(current.strip())
    return args


def evaluate(expression: str, data: Any) -> Any:
    match = _INTRINSIC.match(expression)
    if not match:
        return _must(data, expression)
    name, args = match[1], _arguments(match[2])
    values = [a[1:-1] if a.startswith("'") else _must(data, a) for a in args]
    if name == "States.StringToJson":
        return json.loads(values[0])
    if name == "States.Format":
        template, rest = values[0], iter(values[1:])
        return re.sub(r"\{\}", lambda _m: str(next(rest)), template)
    raise ValueError(f"unsupported intrinsic {name}")


def parameters(template: Any, data: Any) -> Any:
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = evaluate(value, data)
            else:
                out[key] = parameters(value, data)
        return out
    if isinstance(template, list):
        return [parameters(v, data) for v in template]
    return template


def _matches(rule: dict[str, Any], data: Any) -> bool:
    value = get_path(data, rule["Variable"])
    if "IsPresent" in rule:
        return (value is not _MISSING) == rule["IsPresent"]
    if value is _MISSING:
        raise TaskError("States.Runtime", f"invalid path {rule['Variable']!r}: no such field")
    if "StringEquals" in rule:
        return isinstance(value, str) and value == rule["StringEquals"]
    if "BooleanEquals" in rule:
        return isinstance(value, bool) and value == rule["BooleanEquals"]
    if "StringMatches" in rule:
        return isinstance(value, str) and string_matches(value, rule["StringMatches"])
    if "NumericGreaterThanEquals" in rule:
        number = rule["NumericGreaterThanEquals"]
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= number
    raise ValueError(f"unsupported choice rule {rule}")


def string_matches(value: str, pattern: str) -> bool:
    """AWS's StringMatches: ``*`` matches any run of characters, ``\\*`` a star, ``\\\\`` a backslash;
    every other character, ``?`` and ``[`` included, stands for itself."""
    parts, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    return re.fullmatch("".join(parts), value, flags=re.DOTALL) is not None


def _rule(rule: dict[str, Any], data: Any) -> bool:
    """A Choice rule: a comparison, or ``And`` of rules."""
    if "And" in rule:
        return all(_rule(r, data) for r in rule["And"])
    return _matches(rule, data)


class StateMachine:
    def __init__(
        self, definition: dict[str, Any], run_task: TaskRunner, *, history_limit: int = HISTORY_LIMIT
    ) -> None:
        validate(definition)
        self.definition = definition
        self.run_task = run_task
        self.history_limit = history_limit

    def execute(self, data: Any, execution: Execution | None = None) -> tuple[Any, Execution]:
        execution = execution or Execution()
        try:
            _limit(data, "the execution input")
            return self._run(self.definition, data, execution), execution
        except TaskError as failure:  # a terminal error, or one no Catch handled, ends the execution
            raise ExecutionFailed(failure.error, failure.cause) from None

    def _history(self, execution: Execution, events: int) -> None:
        """Count history events (a state entered and exited: 2; a task attempt scheduled, started and
        ended: 3); past the quota the execution fails, as it does on Step Functions."""
        execution.events += events
        if execution.events > self.history_limit:
            raise ExecutionFailed(
                "States.Runtime",
                f"the execution reached the maximum number of history events ({self.history_limit})",
            )

    def _run(self, machine: dict[str, Any], data: Any, execution: Execution) -> Any:
        states = machine["States"]
        name = machine["StartAt"]
        while True:
            state = states[name]
            execution.visited.append(name)
            self._history(execution, 2)
            kind = state["Type"]
            if kind == "Succeed":
                return data
            if kind == "Fail":
                error = _must(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error", "")
                cause = _must(data, state["CausePath"]) if "CausePath" in state else state.get("Cause", "")
                raise ExecutionFailed(str(error), str(cause))
            if kind == "Choice":
                name = next((r["Next"] for r in state["Choices"] if _rule(r, data)), state.get("Default"))
                if name is None:
                    raise ExecutionFailed("States.NoChoiceMatched", "no choice matched")
                continue
            try:
                data_out = self._step(name, state, data, execution)
            except TaskError as failure:
                if failure.error in TERMINAL_ERRORS:
                    raise
                handler = next(
                    (c for c in state.get("Catch", []) if _caught(c["ErrorEquals"], failure.error)), None
                )
                if handler is None:
                    raise
                caught = {"Error": failure.error, "Cause": failure.cause}
                data = set_path(data, handler.get("ResultPath", "$"), caught)
                _limit(data, f"the output of {name}")
                name = handler["Next"]
                continue
            if state.get("End"):
                return data_out
            data, name = data_out, state["Next"]

    def _step(self, name: str, state: dict[str, Any], raw: Any, execution: Execution) -> Any:
        effective = _must(raw, state.get("InputPath", "$"))
        if "Parameters" in state:
            effective = parameters(state["Parameters"], effective)
        _limit(effective, f"the input of {name}")
        kind = state["Type"]
        if kind == "Pass":
            result = state.get("Result", effective)
        elif kind == "Task":
            result = self._task(name, state, effective, execution)
        elif kind == "Map":
            items = _must(effective, state["ItemsPath"]) if "ItemsPath" in state else effective
            processor = state["ItemProcessor"]
            if processor.get("ProcessorConfig", {}).get("Mode", "INLINE") != "INLINE":
                raise ValueError(f"state {name}: only INLINE maps are interpreted")
            result = []
            for item in items:
                try:  # an error no state of the iteration handled is the Map's (terminal or not)
                    result.append(self._run(processor, item, execution))
                except ExecutionFailed as failed:  # an iteration's Fail state is the Map's failure
                    raise TaskError(failed.error, failed.cause) from None
        else:
            raise ValueError(f"state {name}: unsupported type {kind}")
        if "ResultSelector" in state:
            result = parameters(state["ResultSelector"], result)
        output = set_path(raw, state.get("ResultPath", "$"), result)
        output = _must(output, state["OutputPath"]) if "OutputPath" in state else output
        _limit(output, f"the output of {name}")
        return output

    def _task(self, name: str, state: dict[str, Any], effective: Any, execution: Execution) -> Any:
        retries = {id(r): 0 for r in state.get("Retry", [])}
        while True:
            execution.attempts[name] = execution.attempts.get(name, 0) + 1
            self._history(execution, 3)
            try:
                result = self.run_task(state["Resource"], effective)
                _limit(result, f"the result of {name}")
                return result
            except TaskError as failure:
                if failure.error in TERMINAL_ERRORS:
                    raise
                rule = next(
                    (r for r in state.get("Retry", []) if _caught(r["ErrorEquals"], failure.error)), None
                )
                if rule is None or retries[id(rule)] >= rule.get("MaxAttempts", 3):
                    raise
                retries[id(rule)] += 1


def _limit(value: Any, what: str) -> None:
    """States.DataLimitExceeded when ``value`` is over the payload quota as UTF-8 JSON."""
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > PAYLOAD_LIMIT:
        raise TaskError(
            "States.DataLimitExceeded",
            f"{what} is {size} bytes, over the quota of {PAYLOAD_LIMIT} bytes",
        )


def _caught(names: list[str], error: str) -> bool:
    if error in TERMINAL_ERRORS:
        return False
    if "States.ALL" in names or error in names:
        return True
    # States.TaskFailed matches any error a task reports except States.Timeout (same page).
    return "States.TaskFailed" in names and error != "States.Timeout"


def validate(machine: dict[str, Any], where: str = "the state machine") -> None:
    """Refuse what Step Functions refuses at CreateStateMachine (the Amazon States Language spec):
    unknown fields, a Next to no state, and malformed Retry and Catch."""
    unknown = set(machine) - MACHINE_FIELDS
    if unknown:
        raise DefinitionError(f"{where}: unknown fields {sorted(unknown)}")
    states = machine.get("States") or {}
    if machine.get("StartAt") not in states:
        raise DefinitionError(f"{where}: StartAt {machine.get('StartAt')!r} is not a state")
    for name, state in states.items():
        unknown = set(state) - STATE_FIELDS
        if unknown:
            raise DefinitionError(f"state {name}: unsupported fields {sorted(unknown)}")
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) if "Next" in c]
        for retrier in state.get("Retry", []):
            _check_errors(name, "Retry", retrier, RETRIER_FIELDS)
            _check_retrier(name, retrier)
        for catcher in state.get("Catch", []):
            _check_errors(name, "Catch", catcher, CATCHER_FIELDS)
            if "Next" not in catcher:
                raise DefinitionError(f"state {name}: a Catch has no Next")
            targets.append(catcher["Next"])
        for handlers in ("Retry", "Catch"):
            _check_all_last(name, handlers, state.get(handlers, []))
        for target in targets:
            if target is not None and target not in states:
                raise DefinitionError(f"state {name}: Next {target!r} is not a state")
        if (
            state["Type"] not in ("Choice", "Succeed", "Fail")
            and not state.get("End")
            and "Next" not in state
        ):
            raise DefinitionError(f"state {name}: neither Next nor End")
        if "ItemProcessor" in state:
            processor = {k: v for k, v in state["ItemProcessor"].items() if k != "ProcessorConfig"}
            validate(processor, f"state {name}'s ItemProcessor")


def _check_errors(state: str, field_name: str, handler: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(handler) - allowed
    if unknown:
        raise DefinitionError(f"state {state}: {field_name} has unknown fields {sorted(unknown)}")
    names = handler.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise DefinitionError(f"state {state}: {field_name} needs ErrorEquals, a non-empty list of names")
    if "States.ALL" in names and len(names) != 1:
        raise DefinitionError(f"state {state}: States.ALL must be alone in its ErrorEquals")


def _check_retrier(state: str, retrier: dict[str, Any]) -> None:
    checks = {
        "IntervalSeconds": lambda v: type(v) is int and 1 <= v <= 99_999_999,
        "MaxAttempts": lambda v: type(v) is int and 0 <= v <= 99_999_999,
        "BackoffRate": lambda v: type(v) in (int, float) and v >= 1.0,
        "MaxDelaySeconds": lambda v: type(v) is int and 1 <= v < 31_622_400,
        "JitterStrategy": lambda v: v in ("FULL", "NONE"),
    }
    for key, ok in checks.items():
        if key in retrier and not ok(retrier[key]):
            raise DefinitionError(f"state {state}: Retry {key} {retrier[key]!r} is out of its range")


def _check_all_last(state: str, field_name: str, handlers: list[dict[str, Any]]) -> None:
    for handler in handlers[:-1]:
        if "States.ALL" in handler.get("ErrorEquals", []):
            raise DefinitionError(f"state {state}: States.ALL must be in the last {field_name}")
