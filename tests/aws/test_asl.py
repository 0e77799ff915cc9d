"""The ASL interpreter (tests/aws/asl.py) fails where Step Functions fails: one small state machine a rule.

Each rule names the AWS page it follows:

* "Handling errors in Step Functions workflows", Step Functions developer guide
  (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html);
* "Choice workflow state" (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html);
* "Step Functions service quotas" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html);
* the Amazon States Language specification (https://states-language.net/spec.html), "Retrying after
  error" and "Fallback states".
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.asl import (
    HISTORY_LIMIT,
    PAYLOAD_LIMIT,
    DefinitionError,
    ExecutionFailed,
    StateMachine,
    TaskError,
    string_matches,
)

RESOURCE = "arn:aws:states:::lambda:invoke"


def task_machine(task: dict[str, Any], handled: dict[str, Any] | None = None) -> dict[str, Any]:
    """``Work`` (a task with ``task``'s fields), then ``Done``; a Catch goes to ``Handled``."""
    return {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": RESOURCE, "Next": "Done", **task},
            "Handled": handled or {"Type": "Pass", "Result": "handled", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }


def answering(*answers: Any) -> tuple[list[Any], Any]:
    """A task runner that gives ``answers`` in turn (an exception is raised); and its call log."""
    calls: list[Any] = []

    def run(resource: str, given: Any) -> Any:
        calls.append(given)
        answer = answers[min(len(calls), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return calls, run


# --- "Handling errors": States.ALL cannot catch States.Runtime or States.DataLimitExceeded -----------


def test_a_missing_path_in_a_task_reply_is_not_caught_by_states_all() -> None:
    machine = task_machine(
        {
            "ResultSelector": {"answer.$": "$.Payload.answer"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
        }
    )
    calls, run = answering({"Payload": {"other": 1}})
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(machine, run).execute({})
    assert failed.value.error == "States.Runtime" and "$.Payload.answer" in failed.value.cause
    assert len(calls) == 1  # not retried either


def test_states_runtime_inside_a_map_fails_the_execution_past_the_maps_catch() -> None:
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Pick",
                    "States": {"Pick": {"Type": "Pass", "InputPath": "$.absent", "End": True}},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Succeed"},
        },
    }
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(machine, answering()[1]).execute({"items": [{"a": 1}]})
    assert failed.value.error == "States.Runtime"


def test_other_task_errors_are_still_retried_and_caught() -> None:
    """The control: a task's own error is retried, then caught by States.ALL."""
    machine = task_machine(
        {
            "Retry": [{"ErrorEquals": ["StepFailed"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Handled"}],
        }
    )
    calls, run = answering(TaskError("StepFailed", "no"))
    output, execution = StateMachine(machine, run).execute({})
    assert output == "handled" and len(calls) == 3 and execution.visited == ["Work", "Handled"]


# --- "Choice workflow state" / Fail: a path that is not there fails the execution -------------------


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Choice", "Choices": [{"Variable": "$.status", "StringEquals": "ok", "Next": "End"}]},
        {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"},
    ],
    ids=["choice", "fail"],
)
def test_a_missing_path_in_a_choice_or_fail_state_fails_the_execution(state: dict[str, Any]) -> None:
    machine = {"StartAt": "Look", "States": {"Look": state, "End": {"Type": "Succeed"}}}
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(machine, answering()[1]).execute({"other": 1})
    assert failed.value.error == "States.Runtime"


# --- "Choice workflow state": StringMatches takes only * as a wildcard ------------------------------


@pytest.mark.parametrize(
    ("value", "pattern", "matches"),
    [
        ('{"a": 1}', "{*", True),
        ("log-2026.txt", "log-*.txt", True),
        ("a?c", "a?c", True),  # ? stands for itself
        ("abc", "a?c", False),
        ("[x]", "[x]", True),  # so does a bracket
        ("x", "[x]", False),
        ("a*b", "a\\*b", True),  # \* is a literal star
        ("aXb", "a\\*b", False),
        ("a\\b", "a\\\\b", True),  # \\ is a backslash
        ("ab", "a*b*", True),
        ("", "*", True),
    ],
)
def test_string_matches_as_aws_defines_it(value: str, pattern: str, matches: bool) -> None:
    assert string_matches(value, pattern) is matches
    machine = {
        "StartAt": "Is",
        "States": {
            "Is": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "StringMatches": pattern, "Next": "Yes"}],
                "Default": "No",
            },
            "Yes": {"Type": "Pass", "Result": True, "End": True},
            "No": {"Type": "Pass", "Result": False, "End": True},
        },
    }
    assert StateMachine(machine, answering()[1]).execute({"v": value})[0] is matches


# --- the ASL spec, "Retrying after error" and "Fallback states": Retry and Catch as written ----------


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"Retry": [{"ErrorEquals": ["StepFailed"], "MaxAttempt": 5}]}, "unknown fields ['MaxAttempt']"),
        ({"Retry": [{"MaxAttempts": 2}]}, "needs ErrorEquals"),
        ({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}, "BackoffRate 0.5"),
        ({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]}, "IntervalSeconds 0"),
        ({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]}, "MaxAttempts -1"),
        ({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}]}, "JitterStrategy 'SOME'"),
        ({"Catch": [{"ErrorEquals": ["States.ALL"]}]}, "a Catch has no Next"),
        ({"Catch": [{"ErrorEquals": ["X"], "Next": "Nowhere"}]}, "Next 'Nowhere' is not a state"),
        ({"Catch": [{"ErrorEquals": ["X"], "Next": "Handled", "ResultPth": "$.e"}]}, "['ResultPth']"),
        ({"Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "Handled"}]}, "must be alone"),
        (
            {
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Next": "Handled"},
                    {"ErrorEquals": ["X"], "Next": "Handled"},
                ]
            },
            "must be in the last Catch",
        ),
    ],
)
def test_a_malformed_retry_or_catch_is_refused_before_the_execution(
    task: dict[str, Any], message: str
) -> None:
    with pytest.raises(DefinitionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        StateMachine(task_machine(task), answering()[1])


def test_a_state_with_neither_next_nor_end_is_refused() -> None:
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass"}}}
    with pytest.raises(DefinitionError, match="neither Next nor End"):
        StateMachine(machine, answering()[1])


# --- "Step Functions service quotas": 256 KiB payloads, 25,000 history events -----------------------


def test_a_task_result_over_256_kib_fails_the_execution_past_states_all() -> None:
    machine = task_machine({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]})
    big = {"Payload": "x" * PAYLOAD_LIMIT}
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(machine, answering(big)[1]).execute({})
    assert failed.value.error == "States.DataLimitExceeded"
    # just under the quota passes
    fits = {"Payload": "x" * (PAYLOAD_LIMIT - 100)}
    assert StateMachine(machine, answering(fits)[1]).execute({})[0] == fits


def test_an_execution_input_over_256_kib_is_refused() -> None:
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(task_machine({}), answering({})[1]).execute({"blob": "é" * (PAYLOAD_LIMIT // 2)})
    assert failed.value.error == "States.DataLimitExceeded"  # counted in UTF-8 bytes, not characters


def test_a_loop_that_never_ends_fails_at_the_history_quota() -> None:
    machine = {
        "StartAt": "Again",
        "States": {
            "Again": {"Type": "Task", "Resource": RESOURCE, "Next": "Loop"},
            "Loop": {"Type": "Pass", "Next": "Again"},
        },
    }
    calls, run = answering({"status": "incomplete"})
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(machine, run).execute({})
    assert failed.value.error == "States.Runtime" and str(HISTORY_LIMIT) in failed.value.cause
    # a Task pass is 5 events (entered, scheduled, started, ended, exited) and a Pass 2
    assert len(calls) == HISTORY_LIMIT // 7


# --- the template's own definition, with what AWS raises ----------------------------------------------


def template_definition() -> dict[str, Any]:
    """The pipeline's definition with every substitution filled by a name (TransformEngine=lambda)."""
    import json
    import re

    from tests.aws.stack import load_template

    props = load_template()["Resources"]["PipelineStateMachine"]["Properties"]
    text = json.dumps(props["Definition"])
    values = {"TransformEngine": "lambda", "Notify": "false"}
    text = re.sub(
        r"\$\{(\w+)\}", lambda m: values.get(m[1], f"arn:aws:lambda:us-east-1:1:function:{m[1]}"), text
    )
    definition: dict[str, Any] = json.loads(text)
    return definition


def pipeline_runner(ingest_answers: list[Any]) -> tuple[list[str], Any]:
    """Each step's answer for a day already built; the ingestion answers ``ingest_answers`` in turn."""
    called: list[str] = []
    event = {"source": "csv", "kind": "movies", "date": "2026-11-26"}
    summary = {
        "run_id": "r", "kind": "movies", "source": "csv", "requested": 3, "written": 2, "not_found": 0,
        "failed": 1, "failures": [{"id": "tt1", "reason": "HTTP 500"}],
    }  # fmt: skip
    answers = {
        "PlanFunction": {"date": "2026-11-26", "weekday": "Thursday", "ingestions": [event], "skipped": []},
        "CatalogFunction": {"zones": {}},
        "CheckFunction": {"date": "2026-11-26", "raw_fingerprint": "f", "built": True},
    }

    def run(resource: str, given: Any) -> Any:
        name = given["FunctionName"].rsplit(":", 1)[-1]
        called.append(name)
        if name != "IngestFunction":
            return {"Payload": answers[name]}
        answer = ingest_answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"Payload": {**summary, **answer}}

    return called, run


def test_the_ingestion_is_retried_after_lambdas_timeout_and_a_crash() -> None:
    """What Lambda raises when the ingestion outlives its 15 minutes or its runtime dies: retried (the
    run resumes), not sent down the failure path."""
    timed_out = TaskError("Sandbox.Timedout", '{"errorType":"Sandbox.Timedout"}')
    crashed = TaskError("Runtime.ExitError", '{"errorType":"Runtime.ExitError"}')
    called, run = pipeline_runner([timed_out, crashed, {"status": "complete"}])
    output, execution = StateMachine(template_definition(), run).execute({"incremental": True})
    assert called.count("IngestFunction") == 3 and execution.visited[-1] == "Done"
    assert output["ingested"][0]["failures"] == [{"id": "tt1", "reason": "HTTP 500"}]


def test_a_partial_ingestion_ends_the_loop_and_the_day_goes_on() -> None:
    incomplete = {"status": "incomplete", "invocation": 1, "next_event": {"invocation": 2}}
    partial = {"status": "partial", "invocation": 2, "ended": "invocation 2 settled no new id"}
    _, run = pipeline_runner([incomplete, partial])
    output, execution = StateMachine(template_definition(), run).execute({})
    assert execution.visited.count("IngestContinue") == 1 and "IngestPartial" in execution.visited
    assert output["ingested"][0]["ended"] == "invocation 2 settled no new id"
    assert execution.visited[-1] == "Done"


def test_the_loop_guard_fails_an_ingestion_that_never_ends() -> None:
    """A function that answers incomplete forever (one that ignores MAX_CHAIN) meets the state
    machine's own guard at the 50th pass."""
    answers = [
        {"status": "incomplete", "invocation": n, "next_event": {"invocation": n + 1}} for n in range(1, 60)
    ]
    called, run = pipeline_runner(answers)
    with pytest.raises(ExecutionFailed) as failed:
        StateMachine(template_definition(), run).execute({})
    assert called.count("IngestFunction") == 50
    assert failed.value.error == "IngestionLoopLimit"
