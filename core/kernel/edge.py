"""Input models at the edge: frozen pydantic models, and one translation of their errors.

A use case parses what it is handed with `parse_input(Model, data)`; a validation error
becomes one `BadRequest` naming the field's path (`selected_gaps.3.asset_id`) and saying
what is wrong in people's words, with the field's title ("Asset name contains").
"""

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from core.kernel.errors import BadRequest
from core.kernel.text import clean_text

M = TypeVar("M", bound=BaseModel)


class InputModel(BaseModel):
    """Base of every input model: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_FIELD = "\x00field"  # stands for the field's label until the translation below names it


def _clean_line(value: str) -> str:
    try:
        return clean_text(value, "text", label=_FIELD).strip()
    except BadRequest as error:
        raise ValueError(error.message.removeprefix(_FIELD).strip()) from None


# One line of people's text: controls refused, bidi controls dropped, stripped.
CleanText = Annotated[str, AfterValidator(_clean_line)]


def parse_input(model: type[M], data: Mapping[str, Any] | M) -> M:
    """`data` as a `model`, or a `BadRequest` in people's words naming the first bad field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise bad_request(model, error) from None


def bad_request(model: type[BaseModel], error: ValidationError) -> BadRequest:
    first = error.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"])
    label = _label(model, first["loc"])
    return BadRequest(f"{label} {_says(first)}", field=path or None)


def _label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    if not loc:
        return "The input"
    field = model.model_fields.get(str(loc[0]))
    title = (field.title if field else None) or str(loc[0]).replace("_", " ").capitalize()
    rest = [str(part) for part in loc[1:] if not isinstance(part, int)]
    items = [str(part + 1) for part in loc[1:] if isinstance(part, int)]
    where = f" (item {', '.join(items)})" if items else ""
    return f"{title}{where}" + (f": {' '.join(rest).replace('_', ' ')}" if rest else "")


def _says(error: Mapping[str, Any]) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    # A length bound on text that a validator cleaned first reads as "too_long": still text.
    if kind == "string_too_long" or (kind == "too_long" and isinstance(error.get("input"), str)):
        return f"is longer than {context['max_length']} characters"
    if kind == "string_too_short" or (kind == "too_short" and isinstance(error.get("input"), str)):
        least = context["min_length"]
        return "is empty" if least == 1 else f"is shorter than {least} characters"
    if kind == "too_long":
        return f"holds more than {context['max_length']} items"
    if kind == "missing":
        return "is missing"
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type"):
        return "must be a list"
    if kind == "string_type":
        return "must be text"
    if kind == "extra_forbidden":
        return "is not a field of this input"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(context.values()))
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }
        return f"must be {words[kind]} {bound}"
    if kind in ("literal_error", "enum"):
        return f"must be one of {context.get('expected', 'the listed choices')}"
    if kind.startswith("uuid"):
        return "must be a UUID"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("list_type", "tuple_type"):
        return "must be a list"
    if kind == "string_type":
        return "must be text"
    if kind == "value_error" and "error" in context:
        # Raised by our own validators: the rest of a sentence that starts with the label.
        return str(context["error"])
    return error["msg"][0].lower() + error["msg"][1:]
