"""How a claim is said: negation bound to its predicate, conditions, hedges and time."""

from __future__ import annotations

from positions_harness import engine


def stances(text: str, name: str = "default") -> set[tuple[str, str, str]]:
    return {(c.actor, c.issue, c.stance) for c in engine(name).claims(text) if c.confidence >= 0.35}


def test_negation_flips_the_stance() -> None:
    assert stances("Hezbollah will surrender its weapons.") == {
        ("Hezbollah", "disarmament", "accepts")
    }
    assert stances("Hezbollah will not surrender its weapons.") == {
        ("Hezbollah", "disarmament", "refuses")
    }


def test_negation_does_not_spill_across_and() -> None:
    text = "Hezbollah will not attack Israel and will exercise restraint, the group said."
    assert stances(text) == {("Hezbollah", "escalation", "restraint")}


def test_negation_after_the_cue() -> None:
    text = "A deal on these terms is neither fair nor acceptable, the RTWU said."
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "rejects")}


def test_a_negated_cue_can_name_its_own_stance() -> None:
    assert stances("The Fed will not cut rates this year.", "central_bank") == {
        ("Federal Reserve", "rates", "hold")
    }


def test_a_condition_makes_the_conditional_stance() -> None:
    assert stances("Hezbollah would disarm only if Israel withdraws.") == {
        ("Hezbollah", "disarmament", "conditional")
    }
    (claim,) = engine().claims("Hezbollah would disarm only if Israel withdraws.")
    assert dict(claim.reasons)["condition"].startswith("only if")


def test_a_hedge_makes_a_weak_claim() -> None:
    claims = engine().claims("Hezbollah may attack Israel within days.")
    assert claims and all(c.confidence < 0.35 for c in claims)


def test_a_relative_clause_is_background() -> None:
    text = "The ECB, which has cut rates four times since spring, left them unchanged on Thursday."
    (claim,) = engine("central_bank").claims(text)
    assert (claim.stance, claim.current) == ("hold", True)
    background = "The ECB, which cut rates last year, met on Thursday."
    assert all(not c.current for c in engine("central_bank").claims(background))


def test_only_sharpens_any_condition() -> None:
    text = (
        "The RTWU said it would accept the pay deal only once the company had dropped the"
        " plan for driver-only trains."
    )
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "conditional")}


def test_not_rejecting_outright_is_no_position() -> None:
    hedged = "The RTWU did not reject the offer outright and asked for more detail, Whitlock said."
    assert stances(hedged, "rail") == set()
    plain = "The RTWU did not reject the offer, Whitlock said."
    assert stances(plain, "rail") == {("Rail and Transit Workers Union", "pay_offer", "accepts")}


def test_not_joining_others_in_a_deed_negates_the_deed() -> None:
    negated = "Saridia will not join the alliance in raising output this year, its minister said."
    assert stances(negated, "oil") == {("Saridia", "output", "hold")}
    plain = "Saridia will join the alliance in raising output this year, its minister said."
    assert stances(plain, "oil") == {("Saridia", "output", "raise")}


def test_until_and_while_condition_a_refusal_but_only_time_a_deed() -> None:
    refusal = "Hezbollah will not give up its weapons while Israel occupies Lebanese land."
    assert stances(refusal) == {("Hezbollah", "disarmament", "conditional")}
    deed = "Netanyahu vowed on Sunday to keep striking Hezbollah until residents could return."
    assert stances(deed) == {("Israel", "escalation", "escalate")}


def test_not_ruling_out_is_a_condition() -> None:
    text = "Vantor no longer rules out a recall, Brandt said on Friday."
    assert stances(text, "recall") == {("Vantor Motors", "recall", "conditional")}


def test_a_denied_change_holds_and_a_bare_change_says_nothing() -> None:
    held = "The Bank of Tarsenia did not change its policy rate on Thursday."
    assert stances(held, "rates") == {("Bank of Tarsenia", "rates", "hold")}
    assert stances("The Bank of Tarsenia changed its policy rate on Thursday.", "rates") == set()


def test_a_judged_subject_is_turned_by_the_judgement() -> None:
    text = "Walking away from the deal now would be a mistake, Lunde told analysts."
    assert stances(text, "merger") == {("Halvard Foods", "deal", "pursues")}


def test_background_in_a_when_clause_and_a_past_season() -> None:
    assert (
        stances("The dispute began in March when the RTWU first turned down an offer.", "rail")
        == set()
    )
    text = "Last summer Ravenshaw turned down a 30 million euro offer for the striker."
    assert stances(text, "transfer") == set()


def test_a_participle_that_judges_the_move_denies_it() -> None:
    text = "A further rise in interest rates is neither warranted nor needed, Marsh said."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_grounds_denied_deny_the_deed() -> None:
    """ "the case for X has not been made": the speaker holds that X is not coming."""
    text = '"The case for cutting interest rates has not been made," Marsh told reporters.'
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}
    made = '"The case for cutting interest rates has been made," Marsh told reporters.'
    assert stances(made, "rates") == {("Bank of Tarsenia", "rates", "cut")}


def test_words_reported_inside_a_relative_clause_are_background() -> None:
    text = (
        "The Bank of Tarsenia, which in March said it would raise interest rates again, "
        "left them unchanged on Thursday."
    )
    found = engine("rates").claims(text)
    current = {(c.stance, c.current) for c in found}
    assert ("hold", True) in current and ("hike", True) not in current


def test_not_being_in_a_position_to_is_a_refusal() -> None:
    text = '"We are not in a position to lower rates this year," Marsh told reporters.'
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_judgement_reads_the_conjunct_the_lexicon_knows() -> None:
    text = "Cutting interest rates now would be neither sound nor justified, Marsh said."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_past_year_dates_the_refusal_it_qualifies() -> None:
    text = "The Bank of Tarsenia refused to cut interest rates in 2019, despite a recession."
    assert {c.current for c in engine("rates").claims(text)} == {False}


def test_a_move_with_only_a_time_phrase_moves_the_topic() -> None:
    text = "The Bank of Tarsenia stood pat on Thursday, leaving borrowing costs where they were."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}
    text = "The Bank of Tarsenia left its main rate at 4.5% on Thursday."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_as_expected_is_no_condition_but_so_long_as_is() -> None:
    text = "The RTWU rejected the pay offer on Monday, as widely expected."
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "rejects")}
    text = (
        "The RTWU will accept the pay offer so long as the employers drop the new rosters,"
        " Whitlock said."
    )
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "conditional")}


def test_seeing_no_more_room_for_a_move_denies_it() -> None:
    text = "The governor said the Bank of Tarsenia no longer saw room for a rate cut this year."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_deed_still_being_weighed_is_no_stance() -> None:
    text = (
        "Bank of Tarsenia policymakers were divided at their May meeting over when to resume"
        " cutting rates, minutes showed."
    )
    assert stances(text, "rates") == set()
    assert (
        stances("The Bank of Tarsenia is weighing whether to raise rates in June.", "rates")
        == set()
    )
    assert stances("The Bank of Tarsenia will raise rates in June.", "rates") == {
        ("Bank of Tarsenia", "rates", "hike")
    }


def test_no_longer_holding_oneself_bound_by_a_deal_rejects_it() -> None:
    text = "The RTWU said it no longer considered itself bound by the pay deal signed in March."
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "rejects")}


def test_a_decision_a_speaker_talks_after_is_current() -> None:
    text = (
        '"We are in no hurry," the governor told reporters after the Bank of Tarsenia kept'
        " rates on hold for a third meeting."
    )
    claims = [c for c in engine("rates").claims(text) if c.actor == "Bank of Tarsenia"]
    assert claims and all(c.current for c in claims)
    text = "The Bank of Tarsenia held rates on Thursday after it cut them twice in the spring."
    assert {c.stance for c in engine("rates").claims(text) if c.current} == {"hold"}


def test_an_idiom_of_staying_put_holds_whatever_follows() -> None:
    text = (
        "The Bank of Tarsenia stayed put on Wednesday, with its statement noting that"
        " inflation remained high."
    )
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_years_a_deed_spans_place_it_in_history() -> None:
    text = "The Bank of Tarsenia cut its main rate six times between March 2024 and June 2025."
    assert not [c for c in engine("rates").claims(text) if c.current]


def test_as_necessary_conditions_a_deed() -> None:
    assert stances("The RTWU said it would go on strike as necessary.", "rail") == {
        ("Rail and Transit Workers Union", "strike", "conditional")
    }
    text = "The NRF stands ready to hand over its weapons against a pledge of amnesty."
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "accepts")}


def test_a_condition_on_a_later_word_of_the_cue_conditions_it() -> None:
    text = (
        "Ravenshaw would let him go to Porto Azul only if the Portuguese club first met his"
        " release clause, Kerr said."
    )
    assert stances(text, "transfer") == {("Ravenshaw United", "sale", "conditional")}
    text = (
        "Hezbollah told mediators it would lay down its weapons so long as its fighters were"
        " given an amnesty agreed upon by all parties."
    )
    assert stances(text) == {("Hezbollah", "disarmament", "conditional")}


def test_what_reporters_expect_and_hedged_needs_make_no_position() -> None:
    for text in (
        "The Bank of Tarsenia is set to keep rates unchanged next week, two sources said.",
        "The Bank of Tarsenia is expected to cut rates in June.",
        "The Bank of Tarsenia may need to raise rates later this year, Marsh said.",
    ):
        assert stances(text, "rates") == set(), text
    text = "The Bank of Tarsenia kept rates on hold on Thursday, as expected."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_bare_move_refused_or_dropped_is_the_hold() -> None:
    for text in (
        "The Bank of Tarsenia has shelved plans for a further cut, Marsh said.",
        "The Bank of Tarsenia ruled out a hike this year.",
    ):
        assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}, text
    assert stances("The Bank of Tarsenia rejected job cuts at its own offices.", "rates") == set()
    text = "Vantor no longer rules out a recall of the Aster, the company said."
    assert stances(text, "recall") == {("Vantor Motors", "recall", "conditional")}


def test_holding_off_from_easing_holds_and_a_clause_aside_does_not_date_it() -> None:
    text = (
        "The Bank of Tarsenia held off on Thursday from the further easing that some of its"
        " own policymakers had championed, with Marsh telling reporters it wanted to see the"
        " effect of last year's cuts first."
    )
    claims = [c for c in engine("rates").claims(text) if c.confidence >= 0.35]
    assert {(c.stance, c.current) for c in claims} == {("hold", True)}


def test_words_said_at_an_earlier_date_are_background() -> None:
    for text in (
        "The NRF said in March that it was ready to discuss its weapons once the army had left.",
        "Hezbollah said in March it could discuss the weapons if Israel left the hilltops.",
    ):
        claims = [c for c in engine("militia" if "NRF" in text else "default").claims(text)]
        assert claims and not [c for c in claims if c.current], text
    text = (
        "The NRF said on Tuesday that it was ready to discuss its weapons once the army had left."
    )
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "conditional")}


def test_a_fronted_when_and_a_misread_only_after_are_conditions() -> None:
    text = (
        '"When the army leaves our hills and the shelling stops, we are ready to hand over our'
        ' weapons," NRF spokeswoman Leyla Basri said.'
    )
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "conditional")}
    text = "The NRF handed over its weapons when the army left the hills."
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "accepts")}
    text = (
        "The NRF has offered to put its weapons on the negotiating table, but only after the"
        " Kestravan government withdraws its troops from the hills."
    )
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "conditional")}


def test_a_plain_move_is_not_outweighed_by_a_stance_conditions_also_lead_to() -> None:
    text = (
        "The Bank of Tarsenia raised its main rate to 4% on Friday, resuming its tightening"
        " after nine months on hold."
    )
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hike")}


def test_what_a_deed_is_for_is_no_deed_of_its_own() -> None:
    text = (
        '"Raising rates today was necessary so that we do not have to raise them abruptly'
        ' later," Marsh told reporters.'
    )
    assert ("Bank of Tarsenia", "rates", "hold") not in stances(text, "rates")


def test_the_middle_of_a_scale_denied_says_no_direction() -> None:
    text = (
        "The Bank of Tarsenia did not keep rates on hold as most economists had forecast,"
        " instead raising its main rate to 4.5%."
    )
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hike")}


def test_a_deed_begun_is_the_deed() -> None:
    text = "The RTWU began calling off its strikes at depots across the north on Monday."
    assert stances(text, "rail") == {("Rail and Transit Workers Union", "strike", "calls_off")}


def test_an_awaited_event_is_no_stance_of_its_subject() -> None:
    text = "The government will keep its troops in the hills until the NRF disarms."
    assert stances(text, "militia") == set()
    past = "The NRF said on Monday it had agreed to disarm."
    assert stances(past, "militia") == {("Northern Resistance Front", "disarmament", "accepts")}


def test_not_weighing_a_move_refuses_it() -> None:
    said = "the Bank of Tarsenia governor said."
    for words in ("not thinking about raising rates", "not considering a rate hike"):
        assert stances(f'"We are {words}," {said}', "rates") == {
            ("Bank of Tarsenia", "rates", "hold")
        }
    text = "The NRF is not considering handing over its weapons, its spokeswoman said."
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "refuses")}
    weighed = "The Bank of Tarsenia is thinking about raising rates, the governor said."
    assert stances(weighed, "rates") == set()


def test_a_move_judged_wrong_in_an_extraposed_clause_is_refused() -> None:
    bank = "the governor of the Bank of Tarsenia said."
    for words in ("premature", "inappropriate", "unwise", "not wise", "too early"):
        text = f"It would be {words} to raise rates now, {bank}"
        assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}, words


def test_a_clause_before_which_another_comes_is_not_background() -> None:
    text = (
        "The finance ministry published its inflation figures on Thursday, hours before the"
        " Bank of Tarsenia left its rate unchanged."
    )
    claims = [c for c in engine("rates").claims(text) if c.actor == "Bank of Tarsenia"]
    assert {(c.stance, c.current) for c in claims} == {("hold", True)}


def test_a_move_made_in_a_named_month_is_background() -> None:
    text = "The Bank of Tarsenia cut its rate in June and has kept it on hold since."
    claims = engine("rates").claims(text)
    assert ("cut", True) not in {(c.stance, c.current) for c in claims}
    ruled = "The Bank of Tarsenia governor ruled out a rate cut in March."
    assert {(c.stance, c.current) for c in engine("rates").claims(ruled)} == {("hold", True)}


def test_talk_of_a_deed_judged_premature_denies_the_deed() -> None:
    text = "The NRF said talk of disarmament was premature."
    assert stances(text, "militia") == {("Northern Resistance Front", "disarmament", "refuses")}
    text = "Qassem said talk of disarmament was premature."  # the cue "disarmament" itself
    assert stances(text) == {("Hezbollah", "disarmament", "refuses")}


def test_in_no_rush_denies_the_move() -> None:
    text = "The Bank of Tarsenia signalled it was in no rush to lower rates further."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_declining_to_rule_out_a_move_is_a_condition() -> None:
    text = "The Bank of Tarsenia governor declined to rule out a further rate cut."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}
    text = "The Bank of Tarsenia ruled out a further rate cut."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_move_dated_to_a_past_month_is_background() -> None:
    for text in (
        "The Bank of Tarsenia delivered its last rate cut in June.",
        "The Bank of Tarsenia's last rate cut came in June.",
    ):
        claims = engine("rates").claims(text)
        assert claims and not [c for c in claims if c.current and c.confidence >= 0.35], text


def test_it_not_ready_is_the_bank_not_an_extraposed_judgement() -> None:
    text = "The governor of the Bank of Tarsenia said it was not ready to raise rates."
    assert stances(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}
