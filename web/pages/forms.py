"""The form each offered action becomes on the initiative page, and a posted form back into the
action's arguments.

Which forms appear is the domain's answer (`domain.available_actions`); this module only says how
each looks: its heading, its fields (named as the CLI's options, so the posted fields are the
action's arguments as the registry in `app.actions` names them), its buttons, and where on the
page it goes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.actions import ACTIONS, number_arguments
from app.errors import InvalidArgument
from domain.acceptance import statement_to_sign
from domain.available_actions import Offer
from domain.commands import MAX_EVIDENCE
from domain.durations import format_duration
from domain.formatting import number, when
from domain.state import InitiativeState

from .numbers import parse_decimal

# Fields the page itself adds to a form, never an action's argument. `request` names one rendering
# of one form: sent twice (a double click, a reload that posts again), it records once.
PAGE_FIELDS = frozenset({"csrf", "verdict", "return_to", "request"})
OPTION_TEXT_LIMIT = 60  # of an idea's text in a list to choose from


class Place(StrEnum):
    """Where a form goes: with the others, or beside what it is about, so a row with a button
    per line reads as the list it acts on."""

    ACT = "act"  # among what the person can do now
    IDEA = "idea"  # the button alone, in its idea's card
    TRIAGE = "triage"  # with its heading, in its idea's card
    FRONT_LINE = "front_line"  # in the front-line section
    MEMBER = "member"  # beside its person in the front-line list


@dataclass(frozen=True)
class Field:
    name: str  # the action's argument
    label: str
    kind: str = "text"  # text | number | email | textarea | checkboxes | select
    required: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    value: str = ""  # what the field holds before the person types


@dataclass(frozen=True)
class Button:
    label: str
    name: str = ""
    value: str = ""
    danger: bool = False
    # What a screen reader says, where the label alone repeats on every row ("Support").
    spoken: str = ""


@dataclass(frozen=True)
class ActionForm:
    key: str  # unique on the page: ids of its controls derive from it
    action: str  # the registry's action name, as the CLI spells the command
    heading: str
    buttons: tuple[Button, ...]
    fields: tuple[Field, ...] = ()
    hidden: tuple[tuple[str, str], ...] = ()
    note: str = ""
    place: Place = Place.ACT
    subject: str = ""  # the idea or person it is beside, for the places that have one
    quote: str = ""  # text the action puts the person's name to, shown in full above it


REQUEST_ID_LIMIT = 128
REASON = Field("reason", "Reason", "textarea", required=True)
VALUE = Field("value", "Value", "number", required=True)


def _single(key: str, action: str, heading: str, button: str, *fields: Field,
            danger: bool = False, note: str = "") -> ActionForm:
    return ActionForm(key=key, action=action, heading=heading,
                      buttons=(Button(button, danger=danger),), fields=fields, note=note)


def action_form(offer: Offer, state: InitiativeState) -> ActionForm:
    kind, subject = offer.kind, offer.subject or ""
    key = f"{kind}-{subject}" if subject else kind
    unit = state.spec.metric.unit if state.spec is not None else ""
    measured = f" ({unit})" if unit else ""
    if kind == "complete_step":
        step = state.step(subject)
        title = step.title if step is not None else subject
        return ActionForm(key=key, action="complete", heading=f"Step: {title}",
                          buttons=(Button("Complete step"),), hidden=(("step", subject),),
                          fields=(Field("evidence", "Evidence", "textarea"),),
                          note="Say where the evidence is: a document, a link, a record "
                               f"(up to {MAX_EVIDENCE:,} characters).")
    if kind in ("triage_idea", "idea_delivered", "support_idea"):
        return _idea_form(offer, key, state)
    if kind in ("front_line_add", "front_line_remove"):
        return _front_line_form(offer, key)
    if kind == "send_back":
        return ActionForm(
            key=key, action="review", heading="Send the handoff back",
            buttons=(Button("Send back", danger=True),),
            fields=(Field("send_back", "Reason", "textarea", required=True),
                    Field("reopen", "Reopen steps", "checkboxes",
                          choices=tuple((s.id, s.title) for s in state.steps))))
    forms = {
        "approve_launch": lambda: ActionForm(
            key=key, action="approve-launch", heading="Launch gate",
            buttons=(Button("Approve launch"),)),
        "reject_launch": lambda: _single(key, "reject-launch", "Reject the launch",
                                         "Reject launch", REASON, danger=True),
        "deliver": lambda: _single(key, "deliver", "Deliver the improvement", "Deliver",
                                   Field("value", f"Value{measured}", "number", required=True),
                                   note="The metric's value the improvement achieved."),
        "accept": lambda: ActionForm(
            key=key, action="accept", heading="Take over accountability",
            buttons=(Button("Accept ownership"),), quote=statement_to_sign(state) or "",
            note="Accepting signs this statement; the record keeps it with every step's "
                 "evidence."),
        "approve_review": lambda: ActionForm(
            key=key, action="review", heading="Ownership review",
            buttons=(Button("Approve review"),), hidden=(("approve", "true"),)),
        "reading": lambda: _single(key, "reading", "Record a reading", "Record reading",
                                   Field("value", f"Value{measured}", "number", required=True)),
        "correct_reading": lambda: _single(
            key, "correct-reading", "Correct the latest reading", "Correct reading",
            Field("value", f"Corrected value{measured}", "number", required=True), REASON,
            note=f"{_latest_reading(state)} When it was mistyped: the check is judged again "
                 "with the corrected value, and the record keeps both."),
        "respond": lambda: _single(key, "respond", "Answer the regression",
                                   "Submit response plan",
                                   Field("plan", "Plan", "textarea", required=True),
                                   Field("within", "Gain back within", required=True,
                                         value=_response_within(state)),
                                   note="Within at most the spec's response time: "
                                        f"{_response_within(state)}."),
        "submit_idea": lambda: _single(key, "idea", "Suggest an improvement", "Submit idea",
                                       Field("text", "Text", "textarea", required=True)),
        "reassign": lambda: _single(key, "reassign", "Hand ownership to someone else",
                                    "Reassign owner", Field("owner", "Owner", required=True)),
        "reopen": lambda: _single(key, "reopen", "Reopen the initiative", "Reopen initiative",
                                  REASON),
        "cancel": lambda: _single(key, "cancel", "Cancel the initiative", "Cancel initiative",
                                  REASON, danger=True),
    }
    return forms[kind]()


def _latest_reading(state: InitiativeState) -> str:
    latest = state.readings[-1]
    unit = state.require_spec().metric.unit
    return (f"The latest reading is {number(latest.value)}{' ' + unit if unit else ''}, recorded "
            f"{when(latest.at)}.")


def _response_within(state: InitiativeState) -> str:
    spec = state.require_spec()
    return format_duration(spec.sustainment.response_within)


def _idea_text(state: InitiativeState, idea_id: str) -> str:
    idea = state.idea(idea_id)
    return idea.text if idea is not None else idea_id


def _option(state: InitiativeState, idea_id: str) -> tuple[str, str]:
    text = " ".join(_idea_text(state, idea_id).split())
    if len(text) > OPTION_TEXT_LIMIT:
        text = text[:OPTION_TEXT_LIMIT - 1].rstrip() + "…"
    return idea_id, f"{idea_id}: {text}"


def _idea_form(offer: Offer, key: str, state: InitiativeState) -> ActionForm:
    subject = offer.subject or ""
    text = _idea_text(state, subject)
    if offer.kind == "support_idea":
        return ActionForm(key=key, action="support", heading=f"Support {subject}",
                          buttons=(Button("Support", spoken=f"Support {subject}"),),
                          hidden=(("idea", subject),), place=Place.IDEA, subject=subject)
    if offer.kind == "idea_delivered":
        return ActionForm(key=key, action="idea-delivered", heading=f"Deliver {subject}",
                          buttons=(Button("Mark delivered"),), hidden=(("idea", subject),),
                          note=text)
    fields: tuple[Field, ...] = (Field("reason", "Reason", "textarea"),)
    buttons: tuple[Button, ...] = (Button("Adopt", "verdict", "adopt"),
               Button("Decline", "verdict", "decline", danger=True))
    if offer.choices:
        # Merging needs the idea it repeats; the reason is the adoption's or the decline's.
        fields += (Field("duplicate_of", "Duplicate of", "select", choices=(
            ("", "(choose the idea it repeats)"),
            *(_option(state, choice) for choice in offer.choices))),)
        buttons += (Button("Mark duplicate", "verdict", "duplicate"),)
    # No note: the card it sits in shows the idea's text.
    return ActionForm(key=key, action="triage", heading=f"Triage {subject}",
                      hidden=(("idea", subject),), fields=fields, buttons=buttons,
                      place=Place.TRIAGE, subject=subject)


def _front_line_form(offer: Offer, key: str) -> ActionForm:
    if offer.kind == "front_line_add":
        return ActionForm(key=key, action="front-line", heading="Add to the front line",
                          buttons=(Button("Add person"),), hidden=(("change", "add"),),
                          fields=(Field("person", "E-mail", "email", required=True),),
                          note="They may then submit and support ideas here.",
                          place=Place.FRONT_LINE)
    person = offer.subject or ""
    return ActionForm(key=key, action="front-line", heading=f"Remove {person}",
                      buttons=(Button("Remove", danger=True,
                                      spoken=f"Remove {person} from the front line"),),
                      hidden=(("change", "remove"), ("person", person)),
                      place=Place.MEMBER, subject=person)


def action_forms(offers: Iterable[Offer], state: InitiativeState) -> list[ActionForm]:
    """A form for each offer that an action of the registry sends."""
    forms = [action_form(offer, state) for offer in offers]
    return [form for form in forms if form.action in ACTIONS]


@dataclass(frozen=True)
class PageForms:
    """An initiative page's forms, asked for by where they go."""

    forms: tuple[ActionForm, ...]

    def at(self, place: str) -> list[ActionForm]:
        return [form for form in self.forms if form.place == place]

    def beside(self, place: str, subject: str) -> ActionForm | None:
        return next((form for form in self.at(place) if form.subject == subject), None)


def page_forms(offers: Iterable[Offer], state: InitiativeState) -> PageForms:
    return PageForms(tuple(action_forms(offers, state)))


@dataclass
class Posted:
    """A posted action form: the page's own fields apart, the rest the action's arguments."""

    arguments: dict[str, Any] = field(default_factory=dict)
    return_to: str = ""
    request_id: str | None = None


def posted_arguments(action: str, form: Mapping[str, list[str]], *,
                     comma: bool = False) -> Posted:
    """`form` maps each field to all its values (checkboxes post several); numbers are read
    with either decimal mark (`comma`: the person writes decimals with one). A number that is
    none is refused with InvalidArgument naming its field."""
    arguments: dict[str, Any] = {}
    numbers = number_arguments(action) if action in ACTIONS else frozenset()
    for name, values in form.items():
        if name in PAGE_FIELDS:
            continue
        arguments[name] = values if name == "reopen" else values[-1]
        if name in numbers:
            try:
                arguments[name] = parse_decimal(arguments[name], comma)
            except ValueError as error:
                raise InvalidArgument(name, str(error)) from None
    verdict = (form.get("verdict") or [""])[-1]
    if action == "triage":
        # One form, three buttons: the reason is the decline's when declining, and the idea
        # chosen counts only when merging (a select always posts its choice).
        reason = arguments.pop("reason", "")
        original = arguments.pop("duplicate_of", "")
        if verdict == "decline":
            arguments["decline"] = reason
        elif verdict == "duplicate":
            arguments["duplicate_of"] = original
        else:
            arguments.update(adopt=True, reason=reason)
    request_id = (form.get("request") or [""])[-1]
    return Posted(arguments=arguments, return_to=(form.get("return_to") or [""])[-1],
                  request_id=request_id if 0 < len(request_id) <= REQUEST_ID_LIMIT else None)


def posted_form_key(form: Mapping[str, list[str]]) -> str:
    """Which form of the page was sent: its `request` field is the rendering's id, a dash, and
    the form's key."""
    _, _, key = (form.get("request") or [""])[-1].partition("-")
    return key
