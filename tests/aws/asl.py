"""A small interpreter of the Amazon States Language subset the daily pipeline uses.

It walks a state machine definition state by state, as Step Functions does: InputPath, Parameters
(``.$`` keys, JSONPath ``$.a.b``, the intrinsics ``States.StringToJson`` and ``States.Format``),
the task, ResultSelector, ResultPath, OutputPath; Choice (StringEquals, BooleanEquals, StringMatches,
IsPresent), Pass, Map (inline, one item at a time), Succeed, Fail (Error/Cause or ErrorPath/CausePath),
Retry (attempts counted, intervals not slept) and Catch. Tasks are run by a callback, so the Lambda
functions and Glue jobs behind them are whatever the test plugs in. A state or field outside this
subset is refused, so the interpreter cannot silently skip part of a definition.
"""

from __future__ import annotations

import copy
import fnmatch
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


@dataclass
class Execution:
    visited: list[str] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)


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
        return isinstance(value, str) and fnmatch.fnmatchcase(value, rule["StringMatches"])
    raise ValueError(f"unsupported choice rule {rule}")


class StateMachine:
    def __init__(self, definition: dict[str, Any], run_task: TaskRunner) -> None:
        self.definition = definition
        self.run_task = run_task

    def execute(self, data: Any, execution: Execution | None = None) -> tuple[Any, Execution]:
        execution = execution or Execution()
        return self._run(self.definition, data, execution), execution

    def _run(self, machine: dict[str, Any], data: Any, execution: Execution) -> Any:
        states = machine["States"]
        name = machine["StartAt"]
        while True:
            state = states[name]
            unknown = set(state) - STATE_FIELDS
            if unknown:
                raise ValueError(f"state {name}: unsupported fields {sorted(unknown)}")
            execution.visited.append(name)
            kind = state["Type"]
            if kind == "Succeed":
                return data
            if kind == "Fail":
                error = _must(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error", "")
                cause = _must(data, state["CausePath"]) if "CausePath" in state else state.get("Cause", "")
                raise ExecutionFailed(str(error), str(cause))
            if kind == "Choice":
                name = next((r["Next"] for r in state["Choices"] if _matches(r, data)), state.get("Default"))
                if name is None:
                    raise ExecutionFailed("States.NoChoiceMatched", "no choice matched")
                continue
            try:
                data_out = self._step(name, state, data, execution)
            except TaskError as failure:
                handler = next(
                    (c for c in state.get("Catch", []) if _caught(c["ErrorEquals"], failure.error)), None
                )
                if handler is None:
                    raise ExecutionFailed(failure.error, failure.cause) from None
                caught = {"Error": failure.error, "Cause": failure.cause}
                data = set_path(data, handler.get("ResultPath", "$"), caught)
                name = handler["Next"]
                continue
            if state.get("End"):
                return data_out
            data, name = data_out, state["Next"]

    def _step(self, name: str, state: dict[str, Any], raw: Any, execution: Execution) -> Any:
        effective = get_path(raw, state.get("InputPath", "$"))
        if "Parameters" in state:
            effective = parameters(state["Parameters"], effective)
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
                try:
                    result.append(self._run(processor, item, execution))
                except ExecutionFailed as failed:  # an iteration's failure is the Map's failure
                    raise TaskError(failed.error, failed.cause) from None
        else:
            raise ValueError(f"state {name}: unsupported type {kind}")
        if "ResultSelector" in state:
            result = parameters(state["ResultSelector"], result)
        output = set_path(raw, state.get("ResultPath", "$"), result)
        return get_path(output, state["OutputPath"]) if "OutputPath" in state else output

    def _task(self, name: str, state: dict[str, Any], effective: Any, execution: Execution) -> Any:
        retries = {id(r): 0 for r in state.get("Retry", [])}
        while True:
            execution.attempts[name] = execution.attempts.get(name, 0) + 1
            try:
                return self.run_task(state["Resource"], effective)
            except TaskError as failure:
                rule = next(
                    (r for r in state.get("Retry", []) if _caught(r["ErrorEquals"], failure.error)), None
                )
                if rule is None or retries[id(rule)] >= rule.get("MaxAttempts", 3):
                    raise
                retries[id(rule)] += 1


def _caught(names: list[str], error: str) -> bool:
    if "States.ALL" in names:
        return True
    return error in names or ("States.TaskFailed" in names and not error.startswith("States."))
