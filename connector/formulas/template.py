"""A formula template: data validated in full, then built into runnable steps.

`build_template(body)` checks everything a template can get wrong before anything runs
(unknown keys and step types, bad properties, expressions that do not compile, references to
steps that do not exist or come later, to configuration that is not declared, jumps backwards)
and raises TemplateError listing every problem by step and field. Runtime code only ever sees
a `CompiledTemplate`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from connector.errors import flatten_messages
from connector.formulas import limits
from connector.formulas.expressions import ExpressionError
from connector.formulas.references import check_references
from connector.formulas.steps import REGISTRY
from connector.formulas.steps.base import StepDefinitionError
from connector.formulas.triggers import SCHEMAS as TRIGGER_SCHEMAS
from connector.formulas.triggers import Trigger

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_ident = validate.Regexp(IDENTIFIER, error="a name of letters, digits and _ (a CEL identifier)")
_next = fields.List(fields.String(validate=_ident), validate=validate.Length(0, 1))
# what a GET answers besides the template itself; a PUT of a GET's answer may carry them
READ_ONLY_KEYS = ("id", "createdDate", "updatedDate", "version", "system")


class ConfigEntrySchema(Schema):
    key = fields.String(required=True, validate=_ident)
    name = fields.String(validate=validate.Length(1, 200))
    type = fields.String(required=True, validate=validate.OneOf(["elementInstance", "value"]))
    required = fields.Boolean(load_default=True)
    default = fields.Raw()
    description = fields.String(validate=validate.Length(0, 2000))


class TriggerSchema(Schema):
    name = fields.String(validate=_ident)
    type = fields.String(required=True, validate=validate.OneOf(sorted(TRIGGER_SCHEMAS)))
    properties = fields.Dict(load_default=dict)
    onSuccess = _next


class StepSchema(Schema):
    name = fields.String(required=True, validate=_ident)
    type = fields.String(required=True)
    description = fields.String(validate=validate.Length(0, 2000))
    properties = fields.Dict(load_default=dict)
    onSuccess = _next
    onFailure = _next


class TemplateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(0, 4000))
    active = fields.Boolean(load_default=True)
    configuration = fields.List(
        fields.Nested(ConfigEntrySchema),
        load_default=list,
        validate=validate.Length(0, limits.MAX_CONFIGURATION),
    )
    triggers = fields.List(
        fields.Nested(TriggerSchema),
        required=True,
        validate=validate.Length(1, limits.MAX_TRIGGERS),
    )
    steps = fields.List(
        fields.Nested(StepSchema), required=True, validate=validate.Length(1, limits.MAX_STEPS)
    )


class TemplateError(Exception):
    """Everything wrong with a template, one `where: what` line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class CompiledTemplate:
    """Validated data plus built steps and triggers: what executions run."""

    def __init__(self, data: dict[str, Any], steps: list[Any], triggers: list[Trigger]) -> None:
        self.data = data
        self.steps = steps
        self.triggers = triggers
        self.position = {step.name: i for i, step in enumerate(steps)}
        self.specs = {spec["name"]: spec for spec in data["steps"]}
        self.configuration = {entry["key"]: entry for entry in data["configuration"]}

    def step(self, name: str) -> Any:
        return self.steps[self.position[name]]

    def trigger(self, name: str | None = None, kind: str | None = None) -> Trigger | None:
        for trigger in self.triggers:
            if (name is None or trigger.name == name) and (kind is None or trigger.type == kind):
                return trigger
        return None

    def following(self, name: str, succeeded: bool) -> str | None:
        """The step after `name` by the template: onSuccess/onFailure, else the next one.

        None ends the execution (an empty list, the last step, or a failure without a path).
        """
        spec = self.specs[name]
        targets = spec.get("onSuccess" if succeeded else "onFailure")
        if targets is not None:
            return targets[0] if targets else None
        if not succeeded:
            return None
        index = self.position[name] + 1
        return self.steps[index].name if index < len(self.steps) else None

    def element_instance_keys(self) -> list[str]:
        return [k for k, e in self.configuration.items() if e["type"] == "elementInstance"]


def build_template(body: Any) -> CompiledTemplate:
    """Validate `body` in full and build it; TemplateError naming every problem."""
    if not isinstance(body, dict):
        raise TemplateError(["body: a formula template is a JSON object"])
    body = {k: v for k, v in body.items() if k not in READ_ONLY_KEYS}
    try:
        data = TemplateSchema().load(body)
    except ValidationError as exc:
        raise TemplateError(_named(flatten_messages(exc.messages), body)) from None
    problems: list[str] = []
    steps = _build_steps(data, problems)
    triggers = _build_triggers(data, problems)
    if not problems:
        check_references(data, steps, triggers, problems)
    if problems:
        raise TemplateError(problems)
    return CompiledTemplate(data, steps, triggers)


def _named(lines: list[str], body: dict[str, Any]) -> list[str]:
    """marshmallow's `steps.2.properties` as `steps[2] 'decide' properties`."""
    out = []
    for line in lines:
        parts = line.split(".", 2)
        if len(parts) >= 2 and parts[0] in ("steps", "triggers") and parts[1].isdigit():
            index = int(parts[1])
            items = body.get(parts[0]) or []
            name = (
                items[index].get("name")
                if index < len(items) and isinstance(items[index], dict)
                else None
            )
            label = f"{parts[0]}[{index}]" + (f" '{name}'" if name else "")
            line = f"{label} {parts[2]}" if len(parts) == 3 else label
        out.append(line)
    return out


def _where(index: int, name: str) -> str:
    return f"steps[{index}] '{name}'"


def _build_steps(data: dict[str, Any], problems: list[str]) -> list[Any]:
    steps, seen = [], set()
    for i, spec in enumerate(data["steps"]):
        where = _where(i, spec["name"])
        if spec["name"] in seen:
            problems.append(f"{where} name: another step has this name")
        seen.add(spec["name"])
        cls = REGISTRY.get(spec["type"])
        if cls is None:
            known = ", ".join(sorted(REGISTRY))
            problems.append(f"{where} type: unknown step type '{spec['type']}' (known: {known})")
            continue
        try:
            properties = cls.schema().load(spec["properties"])
            steps.append(cls(spec["name"], properties))
        except ValidationError as exc:
            problems.extend(f"{where} properties.{m}" for m in flatten_messages(exc.messages))
        except StepDefinitionError as exc:
            problems.append(f"{where} properties.{exc.field}: {exc.message}")
    return steps


def _build_triggers(data: dict[str, Any], problems: list[str]) -> list[Trigger]:
    triggers, names = [], set()
    first = data["steps"][0]["name"]
    for i, spec in enumerate(data["triggers"]):
        where = f"triggers[{i}]"
        try:
            properties = TRIGGER_SCHEMAS[spec["type"]]().load(spec["properties"])
            starts = spec.get("onSuccess")
            trigger = Trigger(i, {**spec, "properties": properties}, starts[0] if starts else first)
        except ValidationError as exc:
            problems.extend(f"{where} properties.{m}" for m in flatten_messages(exc.messages))
            continue
        except ExpressionError as exc:
            problems.append(f"{where} properties.condition: {exc}")
            continue
        if trigger.name in names:
            problems.append(f"{where} name: another trigger has the name '{trigger.name}'")
        names.add(trigger.name)
        triggers.append(trigger)
    return triggers
