"""The cross-checks of a template once each step is built: names read, jumps, instances.

A step may read `steps.<name>` only for a step before it, `config.<key>` only for a declared
entry; jumps (onSuccess, onFailure, switch branches) go forward only, so every run ends; an
element request or event trigger names a configuration entry of type elementInstance.
"""

from __future__ import annotations

from typing import Any

from connector.formulas import interpolate
from connector.formulas.triggers import Trigger


def check_references(
    data: dict[str, Any], steps: list[Any], triggers: list[Trigger], problems: list[str]
) -> None:
    """Append a `where: what` line to `problems` for each reference that does not hold."""
    position = {step.name: i for i, step in enumerate(steps)}
    config = {e["key"]: e for e in data["configuration"]}
    instances = {k for k, e in config.items() if e["type"] == "elementInstance"}

    def check(where: str, root: str, name: str, index: int) -> None:
        if root == "config" and name not in config:
            problems.append(f"{where}: configuration '{name}' is not declared")
        elif root == "steps":
            if name not in position:
                problems.append(f"{where}: step '{name}' does not exist")
            elif position[name] >= index:
                problems.append(f"{where}: step '{name}' does not run before this one")

    def check_jump(where: str, target: str, index: int) -> None:
        if target not in position:
            problems.append(f"{where}: step '{target}' does not exist")
        elif position[target] <= index:
            problems.append(f"{where}: step '{target}' is not after this one (jumps go forward)")

    for i, step in enumerate(steps):
        where = f"steps[{i}] '{step.name}'"
        for field_name, expression in step.expressions():
            for root, name in expression.references:
                check(f"{where} properties.{field_name}", root, name, i)
        for field_name, value in step.templated():
            try:
                for path in interpolate.references(value):
                    name = str(path[1]) if len(path) > 1 else ""
                    check(f"{where} properties.{field_name}", str(path[0]), name, i)
            except interpolate.InterpolationError as exc:
                problems.append(f"{where} properties.{field_name}: {exc}")
        for field_name, target in step.targets():
            check_jump(f"{where} properties.{field_name}", target, i)
        spec = data["steps"][i]
        for key in ("onSuccess", "onFailure"):
            for target in spec.get(key) or []:
                check_jump(f"{where} {key}", target, i)
        key = getattr(step, "config_key", None)
        if key is not None and key not in instances:
            problems.append(
                f"{where} properties.elementInstance: '{key}' is not a configuration entry "
                "of type elementInstance"
            )
    for trigger in triggers:
        where = f"triggers[{trigger.index}]"
        if trigger.start not in position:
            problems.append(f"{where} onSuccess: step '{trigger.start}' does not exist")
        if trigger.type == "event" and trigger.config_key not in instances:
            problems.append(
                f"{where} properties.elementInstance: '{trigger.config_key}' is not a "
                "configuration entry of type elementInstance"
            )
        if trigger.condition is not None:
            for root, name in trigger.condition.references:
                if root == "steps":
                    problems.append(f"{where} properties.condition: no step has run yet")
                else:
                    check(f"{where} properties.condition", root, name, 0)
