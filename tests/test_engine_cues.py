"""Cues and frames on lemmas: any inflection, any distance the parse connects."""

from __future__ import annotations

from positions_harness import engine

from monitor.engine.parse import parse


def hits(text: str, name: str = "default") -> set[tuple[str, str]]:
    eng = engine(name)
    matcher = eng._steps[0]
    (doc,) = parse([text])
    return {(h.issue, eng.profile.issues[h.issue].scale[h.stance].name) for h in matcher.hits(doc)}


def test_a_cue_matches_any_inflection() -> None:
    assert ("escalation", "restraint") in hits("Hezbollah upheld the ceasefire.")
    assert ("disarmament", "accepts") in hits("Hezbollah laid down its weapons.")


def test_a_frame_counts_when_its_object_names_a_topic_term() -> None:
    far = "The union rejected on Monday, after two days of talks in Cairo, a revised offer."
    assert ("pay_offer", "rejects") in hits(far, "rail")
    assert ("pay_offer", "rejects") in hits("The union turned down the offer.", "rail")
    assert ("pay_offer", "accepts") in hits(
        "The union accepted a revised three-year offer.", "rail"
    )
    assert not hits("The union rejected the minister's timetable.", "rail")


def test_opposite_frames_read_reversed() -> None:
    """A "reject" verb on an issue whose stances list only "accept" still counts."""
    assert ("normalization", "accepts") in hits("Iran rejected normalization with Israel.")


def test_an_evaluative_predicate_judges_its_subject() -> None:
    found = hits("A deal on these terms is neither fair nor acceptable, the union said.", "rail")
    assert ("pay_offer", "accepts") in found  # negated later, by the stance step


def test_routing_needs_the_topic() -> None:
    """A bare frame verb aimed at something else touches no issue."""
    assert not hits("The bank accepted the invitation to the summit.", "rates")


def test_an_undertaking_that_goes_ahead_is_pursued() -> None:
    """The topic as the subject of "go ahead", "proceed": no object for a frame to aim at."""
    assert ("strike", "strikes") in hits(
        "The union said the stoppage would go ahead next week.", "rail"
    )
    assert not hits("The minister said the talks would go ahead on Friday.", "rail")


def test_a_topic_noun_with_its_doer_names_the_deed() -> None:
    assert ("strike", "strikes") in hits(
        "Walkouts by the drivers' union closed four stations.", "rail"
    )
    assert not hits("Walkouts closed four stations on the coast line.", "rail")


def test_protesting_against_a_topic_rejects_it() -> None:
    assert ("quotas", "rejects") in hits(
        "Fishing crews protested against the new quotas in the harbour.", "treaty"
    )


def test_an_object_far_after_its_verb_counts_however_the_parse_hangs_it() -> None:
    """The parse makes a far object an adverbial noun ("npadvmod"); it is still the object."""
    text = (
        "The Social Liberals declined on Friday, after a week of sounding out their members"
        " in the regions, a seat in the cabinet."
    )
    assert ("join_coalition", "rejects") in hits(text, "coalition")


def test_recommending_an_offer_accepts_it() -> None:
    found = hits("The union's executive recommended the improved offer to its members.", "rail")
    assert ("pay_offer", "accepts") in found


def test_a_delay_turns_the_frame_round() -> None:
    """Ruling out a postponement backs the deed; calling for a delay opposes it."""
    back = engine("treaty").claims("Salas ruled out a postponement of the ratification vote.")
    assert {(c.actor, c.stance) for c in back} == {("Caldonian Government", "supports")}
    put_off = engine("treaty").claims("National Renewal called for a delay to ratification.")
    assert {(c.actor, c.stance) for c in put_off} == {("National Renewal Party", "rejects")}
    plain = engine("treaty").claims("Salas ruled out ratification this year.")
    assert {(c.actor, c.stance) for c in plain} == {("Caldonian Government", "rejects")}


def test_acts_of_force_and_restraint_need_no_topic_term() -> None:
    assert ("escalation", "escalate") in hits("Israel struck targets in southern Lebanon.")
    assert ("escalation", "restraint") in hits("Hezbollah was committed to the truce.")


def test_a_stance_named_after_a_frame_takes_it() -> None:
    eng = engine("militia")
    scale = {s.name: s.frames for s in eng.profile.issues["escalation"].scale}
    assert "attack" in scale["escalate"] and "calm" in scale["restraint"]


def test_topic_terms_and_cue_nouns_bring_their_kin() -> None:
    assert ("clearance", "clears") in hits(
        "The NCA cleared Halvard's purchase of Bellmont.", "merger"
    )
    assert ("disarmament", "refuses") not in hits("Hezbollah will surrender its arsenal.")
    assert ("disarmament", "accepts") in hits("Hezbollah will surrender its arsenal.")


def test_a_topic_term_deep_in_another_object_does_not_count() -> None:
    text = (
        "National Renewal spurned the government's offer of a cross-party commission on the pact."
    )
    assert ("ratification", "rejects") not in hits(text, "treaty")


def test_answering_any_attack_is_a_condition() -> None:
    assert ("escalation", "conditional") in hits("Iran will respond to any attack on its soil.")


def test_a_move_judged_wrong_is_refused_and_one_judged_right_is_guidance() -> None:
    engine_ = engine("rates")
    wrong = "A cut at this stage would be neither prudent nor justified, Marsh told lawmakers."
    assert {(c.actor, c.stance) for c in engine_.claims(wrong)} == {("Bank of Tarsenia", "hold")}
    premature = "A hike now would be premature, Marsh said."
    assert {c.stance for c in engine_.claims(premature)} == {"hold"}
    right = "A cut later in the year would be appropriate, Marsh said."
    assert {c.stance for c in engine_.claims(right)} == set()


def test_submitting_a_thing_or_putting_it_to_a_vote_pursues_it() -> None:
    engine_ = engine("treaty")
    text = "The government will submit the Northern Waters Treaty to parliament, Vorsk said."
    assert {(c.actor, c.stance) for c in engine_.claims(text)} == {
        ("Caldonian Government", "supports")
    }
    text = "The government will put the treaty to a vote in parliament, Vorsk said."
    assert {c.stance for c in engine_.claims(text)} == {"supports"}


def test_a_topic_noun_aimed_at_an_unrelated_deed_is_off_topic() -> None:
    engine_ = engine("transfer")
    sponsor = "Ravenshaw accepted an offer from a betting company to sponsor their shirts."
    assert engine_.claims(sponsor) == []
    sell = "Ravenshaw accepted an offer from Porto Azul for their top scorer."
    assert {c.stance for c in engine_.claims(sell)} == {"sells"}


def test_a_cue_that_names_its_thing_needs_no_topic_term() -> None:
    """ "truce" says what it is about; "cut" alone could be about anything."""
    assert ("escalation", "restraint") in hits("The NRF announced a truce on Sunday.", "militia")
    assert ("disarmament", "accepts") in hits("The Front agreed to disarm in stages.", "militia")
    assert not hits("Caldera will cut 300 jobs at its plant in Norvik.", "pharma")


def test_general_verbs_beyond_the_profile_authors_foresight() -> None:
    """Frames know the verbs of rejecting, abandoning and moving a quantity."""
    assert ("clearance", "blocks") in hits("The NCA scuppered the merger on Tuesday.", "merger")
    assert ("deal", "abandons") in hits("Halvard rescinded its takeover bid on Monday.", "merger")
    shaved = "The Bank of Tarsenia shaved a quarter point off its policy rate."
    assert ("rates", "cut") in hits(shaved, "rates")
    lifted = "The Bank of Tarsenia lifted its benchmark rate by half a point."
    assert hits(lifted, "rates") == {("rates", "hike")}  # "lift" a rate is no abandoning


def test_an_aside_between_commas_does_not_hide_the_object() -> None:
    text = (
        "The NRF turned down, in a statement broadcast after three days of closed talks in "
        "the border town of Hessel, the disarmament plan drawn up by the mediators."
    )
    assert ("disarmament", "refuses") in hits(text, "militia")


def test_a_forecast_or_another_measure_is_not_the_topic() -> None:
    text = (
        "The Bank of Tarsenia lowered its projection for the unemployment rate and raised"
        " its forecast for growth."
    )
    assert hits(text, "rates") == set()
    assert hits("The Bank of Tarsenia cut its main rate to 3.5%.", "rates")


def test_readiness_to_talk_a_thing_over_is_the_conditional_stance() -> None:
    text = "The RTWU said it was willing to discuss the pay offer with Crossline next week."
    assert ("pay_offer", "conditional") in hits(text, "rail")


def test_an_object_after_a_quoted_judgement_or_a_long_aside_counts() -> None:
    text = (
        'The NRF on Monday dismissed as "a trap for the north" a council plan to collect the'
        " weapons held by its fighters."
    )
    assert ("disarmament", "refuses") in hits(text, "militia")
    text = (
        "The NRF said it had ruled out, now and for years to come, surrendering the weapons"
        " and attack drones it holds in the hills."
    )
    assert hits(text, "militia") == {("disarmament", "refuses")}  # no attack in "attack drones"


def test_readiness_to_join_talks_on_a_thing_is_the_conditional_stance() -> None:
    text = "The NRF said it was ready to join talks on handing over its weapons."
    assert ("disarmament", "conditional") in hits(text, "militia")


def test_a_thing_on_or_off_the_table() -> None:
    def stances(text: str, name: str) -> set[str]:
        return {c.stance for c in engine(name).claims(text) if c.confidence >= 0.35}

    said = "NRF spokeswoman Leyla Basri said."
    assert stances(f'"Our weapons are not on the table," {said}', "militia") == {"refuses"}
    text = "The NRF said its weapons were on the table if the army withdraws."
    assert stances(text, "militia") == {"conditional"}
    governor = "the Bank of Tarsenia governor said."
    assert stances(f"A rate cut is off the table for now, {governor}", "rates") == {"hold"}
    assert stances(f"A rate cut is on the table for June, {governor}", "rates") == set()


def test_a_thing_negotiable_or_up_for_discussion() -> None:
    def stances(text: str, name: str) -> set[str]:
        return {c.stance for c in engine(name).claims(text) if c.confidence >= 0.35}

    said = "NRF spokeswoman Leyla Basri said."
    for words in ("not negotiable", "non-negotiable", "not up for negotiation"):
        assert stances(f'"Our weapons are {words}," {said}', "militia") == {"refuses"}
    text = "The NRF said its weapons were up for discussion once the army withdraws."
    assert stances(text, "militia") == {"conditional"}
    text = "A rate cut is not up for discussion, the Bank of Tarsenia governor said."
    assert stances(text, "rates") == {"hold"}
    assert stances("The NRF made a non-negotiable demand for elections.", "militia") == set()


def test_a_demand_after_an_aside_is_the_object_of_its_refusal() -> None:
    text = (
        "Crossline rejected on Friday, after a two-hour meeting with union leaders in York"
        " and a day of talks, calls for an improved offer."
    )
    claims = {(c.actor, c.stance) for c in engine("rail").claims(text) if c.confidence >= 0.35}
    assert claims == {("Crossline Rail", "refuses")}


def test_what_others_make_of_a_thing_is_not_what_it_is() -> None:
    text = (
        "The Bank of Tarsenia raised its forecast for growth, a revision that economists said"
        " made a rate cut less likely."
    )
    assert not [c for c in engine("rates").claims(text) if c.confidence >= 0.35]


def test_other_words_for_a_topic_term_count() -> None:
    text = (
        "The Bank of Tarsenia opted on Thursday to lower the cost of borrowing by a quarter point."
    )
    assert hits(text, "rates") == {("rates", "cut")}
    text = "Iran said it would take part in the talks in Muscat and attend the next round."
    assert ("nuclear_talks", "accepts") in hits(text, "levant")


def test_a_rate_left_in_its_range_is_held() -> None:
    text = "The Bank of Tarsenia opted to leave its rate in a range of 2% to 2.25%."
    assert ("rates", "hold") in hits(text, "rates")


def test_neither_on_the_table_nor_up_for_discussion() -> None:
    text = "Handing over our weapons is neither on the table nor up for discussion, the NRF said."
    claims = engine("militia").claims(text)
    assert {c.stance for c in claims if c.confidence >= 0.35} == {"refuses"}


def test_striking_a_deal_is_no_attack() -> None:
    assert not hits("The NRF struck a deal with the traders' guild on Monday.", "militia")
    assert ("escalation", "escalate") in hits("The NRF struck army posts on Monday.", "militia")


def test_staying_where_they_are_holds() -> None:
    text = "The Bank of Tarsenia said it would stay where it was on rates."
    assert ("rates", "hold") in hits(text, "rates")


def test_a_particle_of_the_verb_counts_however_far() -> None:
    text = "Hezbollah said it would hand its heavy weapons in the northern hills to the army."
    claims = engine("frontline").claims(text)
    assert {(c.issue, c.stance) for c in claims} == {("disarmament", "accepts")}


def test_an_aside_opened_by_by_does_not_hide_the_object() -> None:
    text = (
        "The Bank of Tarsenia on Thursday trimmed, by a narrow five-to-four vote that laid"
        " bare its divisions, its benchmark rate to 2%."
    )
    assert ("rates", "cut") in hits(text, "rates")


def test_talking_a_thing_over_is_conditional_and_negotiating_is_the_talks() -> None:
    text = "The NRF will discuss the future of its weapons only once the army withdraws."
    assert ("disarmament", "conditional") in hits(text, "militia")
    refused = "The NRF refused to discuss its weapons, its spokeswoman said."
    assert {c.stance for c in engine("militia").claims(refused)} == {"refuses"}
    assert not hits("The Bank of Tarsenia will discuss rates next week.", "rates")
    talks = engine("frontline")
    said = "Araqchi said."
    assert {c.stance for c in talks.claims(f"Iran is willing to negotiate, {said}")} == {"accepts"}
    text = f"Iran no longer sees any point in negotiating with Washington, {said}"
    assert {c.stance for c in talks.claims(text)} == {"rejects"}
    text = "Iran signed off on a framework negotiated over three weeks in Cairo."
    assert not [c for c in talks.claims(text) if c.issue == "nuclear_talks"]


def test_seeing_no_point_in_a_move_denies_it() -> None:
    text = "The Bank of Tarsenia governor said he saw no point in raising rates now."
    assert {c.stance for c in engine("rates").claims(text)} == {"hold"}


def test_a_quantitys_own_move_needs_no_topic_term() -> None:
    text = (
        "The governor said the Bank of Tarsenia was in a good place and saw no need to cut again."
    )
    assert {c.stance for c in engine("rates").claims(text)} == {"hold"}
    text = "The Bank of Tarsenia said it would cut its staff by a tenth."
    assert not engine("rates").claims(text)


def test_what_one_has_read_is_no_decision() -> None:
    text = '"I have read that we have decided to cut," the Bank of Tarsenia governor said.'
    assert not [c for c in engine("rates").claims(text) if c.confidence >= 0.35]


def test_a_move_judged_by_a_passive_participle_is_held_by_the_judge() -> None:
    said = "the governor of the Bank of Tarsenia said."
    for words in ("would be misguided", "is not warranted"):
        text = f"A rate cut {words}, {said}"
        assert {c.stance for c in engine("rates").claims(text)} == {"hold"}, words


def test_a_move_off_the_agenda_is_denied() -> None:
    text = "A rate cut is not on the agenda, the governor of the Bank of Tarsenia said."
    assert {c.stance for c in engine("rates").claims(text)} == {"hold"}


def test_leaving_a_place_abandons_it_and_leaving_a_thing_somewhere_keeps_it() -> None:
    talks = engine("frontline")
    cases = {
        "Israel has no intention of leaving southern Lebanon, Katz said.": "refuses",
        "Israel will leave southern Lebanon in the coming weeks.": "withdraws",
        "Israel will leave its troops in the five positions.": "refuses",
    }
    for text, stance in cases.items():
        assert {c.stance for c in talks.claims(text) if c.confidence >= 0.35} == {stance}, text


def test_a_salvo_of_rockets_is_an_attack_and_a_barrage_of_criticism_is_not() -> None:
    assert ("escalation", "escalate") in hits(
        "The NRF answered with a salvo of rockets.", "militia"
    )
    assert not hits("The NRF unleashed a barrage of criticism at the army.", "militia")
