"""Survey instruments as FHIR R4 Questionnaires: every shipped, registered and generated
instrument exports to a resource the R4B models accept and imports back to itself; a
Questionnaire made elsewhere imports with the documented defaults; problems are named by their
FHIRPath-like location."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fhir_checks import validated
from qse_customer.analysis.instrument import Instrument, Keyed
from qse_customer.analysis.instrument_registry import (
    InstrumentRegistry,
    instruments,
    shipped_instruments,
)
from qse_customer.core.errors import ValidationError
from qse_customer.fhir import (
    INSTRUMENT_IDENTIFIER,
    extension_url,
    instrument_from_questionnaire,
    instrument_to_questionnaire,
    questionnaire_url,
)

DATA = Path(__file__).parent / "data" / "fhir"
SHIPPED = sorted(shipped_instruments())


def sample(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / name).read_text("utf-8"))
    return document


def round_trip(instrument: Instrument, **options: Any) -> Instrument:
    return instrument_from_questionnaire(
        validated(instrument_to_questionnaire(instrument, **options))
    )


# -- instruments of the library ---------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_instrument_exports_and_imports_back(name: str) -> None:
    instrument = shipped_instruments()[name]
    assert round_trip(instrument) == instrument
    assert round_trip(instrument, base="https://lis.example.org/fhir/") == instrument


def test_every_registered_instrument_round_trips() -> None:
    registry = InstrumentRegistry()
    variant = shipped_instruments()["csat"].to_dict() | {"id": "csat_lab", "version": "2"}
    registry.register(variant)
    for instrument in [*registry.as_mapping().values(), *instruments().values()]:
        assert round_trip(instrument) == instrument


def test_the_questionnaire_of_an_instrument() -> None:
    instrument = shipped_instruments()["psq-18"]
    questionnaire = validated(instrument_to_questionnaire(instrument))
    assert questionnaire["url"] == "https://qse-customer.example/fhir/Questionnaire/psq-18"
    assert questionnaire["url"] == questionnaire_url("psq-18")
    assert questionnaire["version"] == "1994"
    assert questionnaire["identifier"] == [{"system": INSTRUMENT_IDENTIFIER, "value": "psq-18"}]
    assert questionnaire["name"] == "Psq18"
    assert questionnaire["status"] == "active"
    first = questionnaire["item"][0]
    assert (first["linkId"], first["type"]) == ("q1", "choice")
    assert first["answerOption"][0]["valueCoding"] == {
        "system": "https://qse-customer.example/fhir/CodeSystem/psq-18/agreement",
        "code": "1",
        "display": "Strongly agree",
    }
    # q1 is positively keyed on a scale printed 1 = strongly agree: reverse-scored; q4 is not
    marks = {
        item["linkId"]: {e["url"].rsplit("/", 1)[1]: e for e in item["extension"]}
        for item in questionnaire["item"]
    }
    assert marks["q1"]["reverse-scored"]["valueBoolean"] is True
    assert marks["q4"]["reverse-scored"]["valueBoolean"] is False
    assert marks["q4"]["keyed"]["valueCode"] == "negative"
    subscales = [e for e in questionnaire["extension"] if e["url"] == extension_url("subscale")]
    assert len(subscales) == len(instrument.subscales)


def test_a_resource_id_only_when_fhir_allows_it() -> None:
    variant = Instrument.from_dict(shipped_instruments()["csat"].to_dict() | {"id": "csat_lab"})
    questionnaire = validated(instrument_to_questionnaire(variant))
    assert "id" not in questionnaire  # '_' is not allowed in a FHIR id
    assert questionnaire["url"].endswith("/csat_lab")
    assert round_trip(variant) == variant


# -- generated instruments --------------------------------------------------------------------

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda s: s.strip() == s and s != "")
rules = st.integers(1, 2).map(lambda k: {"min_answered": k}) | st.floats(0.01, 1.0).map(
    lambda f: {"min_share": f}
)


@st.composite
def scales(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ordinal", "yes_no", "text"]))
    scale: dict[str, Any] = {"kind": kind}
    low = draw(st.integers(-3, 3))
    high = low + draw(st.integers(1, 10))
    if kind == "ordinal":
        scale |= {
            "min": low,
            "max": high,
            "coding": draw(st.sampled_from(["ascending", "descending"])),
        }
        codes = st.integers(low, high)
    else:
        codes = st.integers(-2, 3)
        if draw(st.booleans()):
            scale["coding"] = draw(st.sampled_from(["ascending", "descending"]))
    labels = draw(st.dictionaries(codes, texts, max_size=4))
    if labels:
        scale["labels"] = {str(code): text for code, text in labels.items()}
    if draw(st.booleans()):
        scale["not_applicable"] = True
    return scale


@st.composite
def generated_instruments(draw: st.DrawFn) -> Instrument:
    """Valid instruments of every scale kind, with labels, 'not applicable', keying, short
    wordings, subscales of items that share a range, measures and every optional text."""
    named = draw(st.dictionaries(st.sampled_from(["a", "b_c", "d.e", "f-g"]), scales(), min_size=1))
    names = sorted(named)
    items = []
    for n in range(draw(st.integers(1, 6))):
        item: dict[str, Any] = {
            "id": f"i{n}",
            "text": draw(texts),
            "scale": draw(st.sampled_from(names)),
        }
        if draw(st.booleans()):
            item["short"] = draw(texts)
        if draw(st.booleans()):
            item["keyed"] = draw(st.sampled_from(["positive", "negative"]))
        if draw(st.booleans()):
            item["required"] = draw(st.booleans())
        items.append(item)
    document: dict[str, Any] = {
        "id": draw(st.sampled_from(["gen", "gen_1", "g.2", "lab-survey"])),
        "version": draw(texts),
        "title": draw(texts),
        "source": draw(texts),
        "scales": named,
        "items": items,
    }
    scored = [i for i in items if named[i["scale"]]["kind"] != "text"]
    by_range: dict[tuple[int, int], list[str]] = {}
    for item in scored:
        scale = named[item["scale"]]
        key = (scale["min"], scale["max"]) if scale["kind"] == "ordinal" else (0, 1)
        by_range.setdefault(key, []).append(item["id"])
    subscales = []
    for n, members in enumerate(by_range.values()):
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
            subscale: dict[str, Any] = {"id": f"s{n}", "title": draw(texts), "items": chosen}
            if draw(st.booleans()):
                subscale["missing_data"] = {"min_answered": 1}
            subscales.append(subscale)
    document["subscales"] = subscales
    if draw(st.booleans()):
        document["missing_data"] = draw(
            st.just({"min_answered": 1}) | st.floats(0.01, 1.0).map(lambda f: {"min_share": f})
        )
    wide = [i["id"] for i in scored if named[i["scale"]]["kind"] == "ordinal"]
    measures = []
    for item_id in wide:
        scale = named[next(i["scale"] for i in items if i["id"] == item_id)]
        if (scale["min"], scale["max"]) == (0, 10) and draw(st.booleans()):
            measures.append({"kind": "nps", "item": item_id})
        elif draw(st.booleans()):
            top = draw(st.integers(1, scale["max"] - scale["min"]))
            measures.append({"kind": "csat", "item": item_id, "top": top})
    if measures:
        document["measures"] = measures
    for name in ("url", "licence", "instructions", "notes"):
        if draw(st.booleans()):
            document[name] = draw(texts)
    if draw(st.booleans()):
        document["audience"] = draw(st.sampled_from(["internal", "external", "any"]))
    instrument = Instrument.from_dict(document)
    if draw(st.booleans()):
        listed = list(draw(st.permutations(instrument.reversed_items)))
        instrument = Instrument.from_dict(document | {"reverse_scored": listed})
    return instrument


@settings(max_examples=150)
@given(generated_instruments(), st.sampled_from(["https://qse-customer.example/fhir", "urn:x"]))
def test_generated_instruments_round_trip(instrument: Instrument, base: str) -> None:
    assert round_trip(instrument, base=base) == instrument


@settings(max_examples=50)
@given(generated_instruments())
def test_an_exported_questionnaire_is_stable(instrument: Instrument) -> None:
    questionnaire = instrument_to_questionnaire(instrument)
    again = instrument_to_questionnaire(instrument_from_questionnaire(questionnaire))
    assert again == questionnaire


# -- Questionnaires made elsewhere ------------------------------------------------------------


def test_a_phq9_shaped_questionnaire_from_the_specification_imports() -> None:
    document = validated(sample("questionnaire-phq9-like.json"))
    instrument = instrument_from_questionnaire(document)
    assert instrument.id == "phq-9-like"
    assert instrument.version == "1.0.0"
    assert instrument.url == "http://example.org/fhir/Questionnaire/phq-9-like"
    assert "Example publisher" in instrument.source
    # groups and display items are not items; linkIds become identifiers
    assert [item.id for item in instrument.items] == ["44250-9", "44255-8"]
    assert all(item.required for item in instrument.items)
    (scale,) = instrument.scales.values()
    # the codes are the ordinalValue extensions, ascending and positively keyed by default
    assert (scale.min, scale.max, scale.coding.value) == (0, 3, "ascending")
    assert scale.labels == {
        0: "Not at all",
        1: "Several days",
        2: "More than half the days",
        3: "Nearly every day",
    }
    assert all(item.keyed is Keyed.POSITIVE for item in instrument.items)
    assert instrument.subscales == ()
    assert round_trip(instrument) == instrument


def test_a_satisfaction_questionnaire_imports_with_every_item_type() -> None:
    instrument = instrument_from_questionnaire(validated(sample("questionnaire-satisfaction.json")))
    assert instrument.id == "lab-visit-satisfaction"
    assert (instrument.instructions, instrument.licence) == (
        "Tick one box per question.",
        "CC BY 4.0",
    )
    kinds = {item.id: instrument.scale_of(item.id).kind.value for item in instrument.items}
    assert kinds == {"1.1": "ordinal", "1.2": "ordinal", "2": "yes_no", "3": "ordinal", "4": "text"}
    assert instrument.scale_of("1.1") is instrument.scale_of("1.2")  # one shared scale
    assert (instrument.scale_of("3").min, instrument.scale_of("3").max) == (0, 10)
    assert instrument.scale_of("1.1").labels[5] == "Very satisfied"
    assert instrument.check_answers({"1.1": 5, "2": True, "3": 9, "4": "Quick"}) is None
    assert round_trip(instrument) == instrument


def test_codes_that_are_not_numbers_are_numbered_in_order() -> None:
    document = sample("questionnaire-phq9-like.json")
    for option in document["item"][1]["item"][0]["answerOption"]:
        del option["extension"]
    instrument = instrument_from_questionnaire(document)
    scale = instrument.scale_of("44250-9")
    assert (scale.min, scale.max, scale.labels[1]) == (1, 4, "Not at all")


# -- problems by location ---------------------------------------------------------------------


def problems(document: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        instrument_from_questionnaire(document)
    return {error.path: error.message for error in raised.value.errors}


def test_every_problem_is_named_by_its_location() -> None:
    document = sample("questionnaire-satisfaction.json")
    document["item"][0]["item"][1]["answerOption"] = []
    document["item"][1]["type"] = "attachment"
    document["item"][2]["extension"] = []
    document["item"].append({"linkId": "2", "type": "boolean", "text": "Again"})
    found = problems(document)
    assert set(found) == {
        "Questionnaire.item[0].item[1].answerOption",
        "Questionnaire.item[1].type",
        "Questionnaire.item[2].type",
        "Questionnaire.item[4].linkId",
    }
    assert "attachment" in found["Questionnaire.item[1].type"]
    assert "minValue" in found["Questionnaire.item[2].type"]


def test_not_a_questionnaire() -> None:
    assert set(problems({"resourceType": "Patient"})) == {"Questionnaire.resourceType"}
    assert set(problems([])) == {"Questionnaire"}
    assert set(problems({"resourceType": "Questionnaire", "id": "x"})) == {"Questionnaire.item"}
    assert set(problems({"resourceType": "Questionnaire", "item": []})) == {"Questionnaire.name"}


def test_a_reverse_scored_mark_that_contradicts_the_keying_is_refused() -> None:
    questionnaire = instrument_to_questionnaire(shipped_instruments()["psq-18"])
    broken = copy.deepcopy(questionnaire)
    for extension in broken["item"][0]["extension"]:
        if extension["url"] == extension_url("reverse-scored"):
            extension["valueBoolean"] = False
    assert set(problems(broken)) == {"Questionnaire.item[0].extension"}


def test_a_broken_library_extension_is_named() -> None:
    questionnaire = instrument_to_questionnaire(shipped_instruments()["csat"])
    index = next(
        n
        for n, e in enumerate(questionnaire["extension"])
        if e["url"] == extension_url("missing-data")
    )
    questionnaire["extension"][index]["extension"][0]["valueInteger"] = "one"
    assert f"Questionnaire.extension[{index}].extension[0]" in problems(questionnaire)
