"""Instruments: the schema, the model's checks, the shipped instruments, the registry, loading."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.analysis.instrument import Instrument, instrument_schema
from qse_customer.analysis.instrument_registry import (
    InstrumentRegistry,
    UnknownInstrumentError,
    instruments,
    load_instrument,
    register_instrument,
    register_instruments,
    shipped_instruments,
    unregister_instrument,
)
from qse_customer.core.errors import ValidationError

SHIPPED = (
    "csat",
    "customer-focused-culture",
    "lab-services-clinician",
    "nps",
    "psq-18",
    "understanding",
)

# RAND P-7865 (Marshall & Hays 1994), "Instructions for Scoring the PSQ-18", Tables 1 and 2.
RAND_RECODED = ("q1", "q2", "q3", "q5", "q6", "q8", "q11", "q15", "q18")
RAND_KEPT = ("q4", "q7", "q9", "q10", "q12", "q13", "q14", "q16", "q17")
RAND_SUBSCALES = {
    "general_satisfaction": ("q3", "q17"),
    "technical_quality": ("q2", "q4", "q6", "q14"),
    "interpersonal_manner": ("q10", "q11"),
    "communication": ("q1", "q13"),
    "financial_aspects": ("q5", "q7"),
    "time_spent_with_doctor": ("q12", "q15"),
    "accessibility_and_convenience": ("q8", "q9", "q16", "q18"),
}


def minimal_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": "mini",
        "version": "1",
        "title": "Mini",
        "source": "test",
        "scales": {"five": {"kind": "ordinal", "min": 1, "max": 5, "coding": "ascending"}},
        "items": [
            {"id": "a", "text": "A?", "scale": "five"},
            {"id": "b", "text": "B?", "scale": "five", "keyed": "negative"},
        ],
        "subscales": [{"id": "all", "title": "All", "items": ["a", "b"]}],
    }
    document.update(changes)
    return document


@st.composite
def instrument_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid instrument documents: one ordinal scale, items of either keying, subscales."""
    low = draw(st.integers(-3, 3))
    high = low + draw(st.integers(1, 10))
    count = draw(st.integers(1, 8))
    ids = [f"i{n}" for n in range(count)]
    items = [
        {
            "id": i,
            "text": f"Item {i}",
            "scale": "s",
            "keyed": draw(st.sampled_from(["positive", "negative"])),
        }
        for i in ids
    ]
    subscales = []
    for n in range(draw(st.integers(0, 3))):
        members = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        rule = draw(
            st.one_of(
                st.just({"min_answered": 1}),
                st.integers(1, len(members)).map(lambda k: {"min_answered": k}),
                st.floats(0.01, 1.0).map(lambda f: {"min_share": f}),
            )
        )
        subscales.append(
            {"id": f"sub{n}", "title": f"Sub {n}", "items": members, "missing_data": rule}
        )
    return {
        "id": "generated",
        "version": "1",
        "title": "Generated",
        "source": "hypothesis",
        "scales": {
            "s": {
                "kind": "ordinal",
                "min": low,
                "max": high,
                "coding": draw(st.sampled_from(["ascending", "descending"])),
            }
        },
        "items": items,
        "subscales": subscales,
        "missing_data": {"min_answered": 1},
    }


# -- the shipped instruments --------------------------------------------------------------------


def test_every_shipped_instrument_is_registered_and_valid() -> None:
    shipped = shipped_instruments()
    assert sorted(shipped) == list(SHIPPED)
    for name, instrument in shipped.items():
        assert instrument.id == name
        assert Instrument.from_dict(instrument.to_dict()) == instrument
        assert name in instruments()


def test_shipped_files_match_the_schema() -> None:
    import jsonschema

    folder = Path(__file__).resolve().parents[1] / "src/qse_customer/analysis/instruments"
    files = sorted(folder.glob("*.json"))
    assert len(files) == 6
    for path in files:
        jsonschema.validate(json.loads(path.read_text("utf-8")), instrument_schema())


def test_psq18_recodes_exactly_the_items_rand_lists() -> None:
    psq = load_instrument("psq-18")
    assert [item.id for item in psq.items] == [f"q{n}" for n in range(1, 19)]
    assert psq.reversed_items == RAND_RECODED
    assert not set(RAND_KEPT) & set(psq.reversed_items)
    scale = psq.scales["agreement"]
    assert (scale.min, scale.max, scale.coding.value) == (1, 5, "descending")
    assert scale.labels[1] == "Strongly agree" and scale.labels[5] == "Strongly disagree"
    assert {s.id: s.items for s in psq.subscales} == RAND_SUBSCALES
    # RAND: items left blank are ignored; a scale is the mean of the items answered.
    assert psq.missing_data.min_answered == 1
    assert all(psq.rule_for(s).needed(len(s.items)) == 1 for s in psq.subscales)
    assert "P-7865" in psq.source and psq.url == "https://www.rand.org/pubs/papers/P7865.html"


def test_psq18_wording_of_a_few_published_items() -> None:
    psq = load_instrument("psq-18")
    assert psq.item("q1").text == "Doctors are good about explaining the reason for medical tests."
    assert psq.item("q10").text == "Doctors act too businesslike and impersonal toward me."
    assert psq.item("q18").text == "I am able to get medical care whenever I need it."


def test_understanding_questions_of_source_002() -> None:
    understanding = load_instrument("understanding")
    assert [item.text for item in understanding.items] == [
        "Do you understand your diagnosis?",
        "Do you understand the treatment given today?",
        "Do you understand what is next, i.e., what you must do to get better and stay better "
        "once you are back home?",
    ]
    assert {scale.kind.value for scale in understanding.scales.values()} == {"yes_no"}


def test_culture_self_assessment_has_the_six_components_of_source_004() -> None:
    culture = load_instrument("customer-focused-culture")
    assert [(s.title, len(s.items)) for s in culture.subscales] == [
        ("Customer-oriented structures and guidance", 5),
        ("Leadership commitment to customers", 5),
        ("Customer-focused systems and processes", 4),
        ("Customers are understood", 6),
        ("Customers are engaged", 4),
        ("Customer information and feedback is shared and used", 6),
    ]
    assert culture.audience == "internal"
    assert culture.item("c3_4").text == "There is a clear process for managing customer complaints"
    assert all(culture.scales[i.scale].coding.value == "ascending" for i in culture.items)


def test_lab_services_instrument_covers_the_service_areas() -> None:
    lab = load_instrument("lab-services-clinician")
    ids = {s.id for s in lab.subscales}
    assert {"overall", "turnaround_time", "result_reporting", "courtesy", "phlebotomy"} <= ids
    assert "communication" in ids
    assert {(m.kind, m.item) for m in lab.measures} == {("csat", "overall"), ("nps", "recommend")}
    assert lab.scales["service"].not_applicable


# -- schema and model checks --------------------------------------------------------------------


def test_schema_errors_name_the_json_path() -> None:
    document = minimal_document()
    document["items"][1]["keyed"] = "sideways"
    document["scales"]["five"]["kind"] = "stars"
    del document["title"]
    with pytest.raises(ValidationError) as caught:
        Instrument.from_dict(document)
    paths = {error.path for error in caught.value.errors}
    assert {"$", "$.items[1].keyed", "$.scales.five.kind"} <= paths


def test_yes_no_scales_take_no_range() -> None:
    document = load_instrument("understanding").to_dict()
    document["scales"]["yes_no"]["min"] = 3
    with pytest.raises(ValidationError, match=r"\$\.scales\.yes_no\.min: unexpected field"):
        Instrument.from_dict(document)


def test_non_finite_and_fractional_answers_are_refused() -> None:
    csat = load_instrument("csat")
    for bad in (float("nan"), float("inf"), 4.5, "4"):
        assert [e.path for e in csat.validate_answers({"satisfaction": bad})] == [
            "$.answers.satisfaction"
        ]
    assert csat.validate_answers({"satisfaction": 4.0}) == []


def test_model_errors_name_the_json_path() -> None:
    document = minimal_document(
        subscales=[{"id": "all", "title": "All", "items": ["a", "zzz"]}],
        reverse_scored=["a"],
    )
    document["items"].append({"id": "a", "text": "again", "scale": "five"})
    with pytest.raises(ValidationError) as caught:
        Instrument.from_dict(document)
    messages = {error.path: error.message for error in caught.value.errors}
    assert "unknown item 'zzz'" in messages["$.subscales[0].items[1]"]
    assert "used twice" in messages["$.items[2].id"]
    assert "derived but not listed ['b']" in messages["$.reverse_scored"]


def test_subscale_needing_more_items_than_it_has_is_refused() -> None:
    document = minimal_document(missing_data={"min_answered": 3})
    with pytest.raises(ValidationError, match="needs 3 answered items but the subscale has 2"):
        Instrument.from_dict(document)


def test_subscale_mixing_score_ranges_is_refused() -> None:
    document = minimal_document()
    document["scales"]["ten"] = {"kind": "ordinal", "min": 0, "max": 10, "coding": "ascending"}
    document["items"][1]["scale"] = "ten"
    with pytest.raises(ValidationError, match="share one score range"):
        Instrument.from_dict(document)


@given(instrument_documents())
def test_generated_instruments_round_trip(document: dict[str, Any]) -> None:
    instrument = Instrument.from_dict(document)
    again = Instrument.from_dict(json.loads(json.dumps(instrument.to_dict())))
    assert again == instrument


@given(instrument_documents())
def test_reversed_items_are_those_whose_keying_disagrees_with_the_coding(
    document: dict[str, Any],
) -> None:
    instrument = Instrument.from_dict(document)
    descending = document["scales"]["s"]["coding"] == "descending"
    expected = tuple(i["id"] for i in document["items"] if descending != (i["keyed"] == "negative"))
    assert instrument.reversed_items == expected
    declared = dict(document, reverse_scored=list(expected))
    assert Instrument.from_dict(declared).reversed_items == expected


# -- answers ------------------------------------------------------------------------------------


def test_validate_answers_lists_every_problem() -> None:
    lab = load_instrument("lab-services-clinician")
    errors = lab.validate_answers(
        {
            "overall": 6,
            "tat_routine": "not_applicable",
            "recommend": True,
            "comments": 3,
            "nope": 1,
            "report_clarity": 2.5,
        }
    )
    assert {e.path for e in errors} == {
        "$.answers.overall",
        "$.answers.recommend",
        "$.answers.comments",
        "$.answers.nope",
        "$.answers.report_clarity",
    }
    assert "from 1 to 5" in next(e.message for e in errors if e.path == "$.answers.overall")


def test_not_applicable_only_where_the_scale_allows_it() -> None:
    lab = load_instrument("lab-services-clinician")
    assert lab.validate_answers({"tat_routine": "not_applicable", "overall": None}) == []
    assert lab.validate_answers({"overall": "not_applicable"})


def test_required_items_must_be_answered() -> None:
    nps = load_instrument("nps")
    assert [e.path for e in nps.validate_answers({})] == ["$.answers.recommend"]
    assert nps.validate_answers({"recommend": 10}) == []


def test_yes_no_accepts_booleans_and_words() -> None:
    understanding = load_instrument("understanding")
    assert (
        understanding.validate_answers({"diagnosis": True, "treatment": "No", "next_steps": "yes"})
        == []
    )
    assert understanding.validate_answers({"diagnosis": 1})


def test_validate_answers_refuses_a_non_mapping() -> None:
    errors = load_instrument("csat").validate_answers([1, 2])  # type: ignore[arg-type]
    assert [e.path for e in errors] == ["$.answers"]


# -- registry and loading -----------------------------------------------------------------------


def test_load_from_a_path_and_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(minimal_document()), "utf-8")
    from_path = load_instrument(path)
    assert from_path == load_instrument(str(path)) == load_instrument(minimal_document())
    assert from_path.reversed_items == ("b",)


def test_loading_unknown_names_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(UnknownInstrumentError, match="known instruments: csat"):
        load_instrument("no-such-instrument")
    with pytest.raises(UnknownInstrumentError, match="no instrument file at that path"):
        load_instrument(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(ValidationError, match="cannot read instrument file"):
        load_instrument(bad)


def test_registry_register_get_and_unregister() -> None:
    registry = InstrumentRegistry()
    mini = registry.register(minimal_document())
    assert registry.get("mini") is mini and "mini" in registry
    assert registry.register(minimal_document()) == mini  # the same again is a no-op
    changed = minimal_document(title="Changed")
    with pytest.raises(ValidationError, match="already registered"):
        registry.register(changed)
    assert registry.register(changed, replace=True).title == "Changed"
    registry.unregister("mini")
    assert "mini" not in registry
    with pytest.raises(UnknownInstrumentError):
        registry.unregister("mini")


def test_shipped_instruments_cannot_be_replaced_or_removed() -> None:
    registry = InstrumentRegistry()
    psq = copy.deepcopy(load_instrument("psq-18").to_dict())
    psq["items"][0]["text"] = "Something else."
    with pytest.raises(ValidationError, match="shipped instrument"):
        registry.register(psq, replace=True)
    with pytest.raises(ValidationError, match="cannot be removed"):
        registry.unregister("psq-18")
    registry.register(load_instrument("psq-18"))  # registering the shipped one itself is fine


def test_register_all_is_all_or_nothing() -> None:
    registry = InstrumentRegistry(shipped=False)
    good = Instrument.from_dict(minimal_document())
    bad = minimal_document(id="bad", items=[])
    with pytest.raises(ValidationError) as caught:
        registry.register_all({"mini": good, "bad": bad, "other": good})
    paths = {e.path for e in caught.value.errors}
    assert "$.other" in paths and any(p.startswith("$.bad") for p in paths)
    assert len(registry) == 0
    registry.register_all({"mini": good})
    assert list(registry) == ["mini"]


def test_default_registry_round_trip_for_plugins() -> None:
    document = minimal_document(id="plugin-survey")
    register_instruments({"plugin-survey": document})
    try:
        assert load_instrument("plugin-survey").title == "Mini"
        assert register_instrument(document).id == "plugin-survey"
    finally:
        unregister_instrument("plugin-survey")
    assert "plugin-survey" not in instruments()


def test_load_registered_name_from_a_given_registry() -> None:
    registry = InstrumentRegistry(shipped=False)
    registry.register(minimal_document())
    assert load_instrument("mini", registry=registry).id == "mini"
    with pytest.raises(UnknownInstrumentError):
        load_instrument("psq-18", registry=registry)
