"""Who holds a claim: subject, passive agent, sayer; demands, fears and claims of others."""

from __future__ import annotations

from pathlib import Path

from positions_harness import engine

from monitor import profile
from monitor.engine import Engine


def holders(text: str, name: str = "default") -> set[tuple[str, str, str]]:
    return {(c.actor, c.issue, c.stance) for c in engine(name).claims(text) if c.confidence >= 0.35}


def test_the_sayer_of_a_quote_that_follows_it_holds_it() -> None:
    (claim,) = engine().claims('"We will not back down," Qassem said on Sunday.')
    assert (claim.actor, claim.stance, claim.attribution) == ("Hezbollah", "escalate", "quote")
    assert dict(claim.reasons)["sayer"] == "Qassem"


def test_a_demand_by_others_is_not_the_targets_stance() -> None:
    assert holders("Western diplomats urged Hezbollah to give up its weapons.") == set()
    assert holders("The United States called on Hezbollah to disarm.") == set()


def test_what_others_fear_is_nobodys_stance() -> None:
    assert holders("Israel fears that Hezbollah will attack.") == set()


def test_a_possessor_holds_only_a_deed_of_its_own() -> None:
    """Condemning "Israel's attack" is neither Israel's statement nor the condemners' attack."""
    assert holders("Hezbollah and Amal condemned Israel's attack on Lebanon.") == set()


def test_an_outlet_name_is_not_a_verb() -> None:
    text = "Speaking to the Associated Press, the spokesman said the RTWU had accepted the offer."
    assert holders(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "accepts")}


def test_rejecting_claims_about_a_deed_is_not_a_stance_on_it() -> None:
    text = "The RTWU rejected claims that it had agreed to the offer in private."
    assert holders(text, "rail") == set()


def test_refusing_an_order_to_attack_is_restraint() -> None:
    assert holders("Qassem refused a direct order from Khamenei to attack Israel.") == {
        ("Hezbollah", "escalation", "restraint")
    }


def test_the_kind_of_a_named_actor_refers_back_to_it() -> None:
    """ "the union" after naming the RTWU is the RTWU, even where the profile lists no
    such anaphor: the actor's `kind` says what it is."""
    text = "A Farmers' Party official said on Monday the party had accepted the coalition deal."
    assert holders(text, "coalition") == {("Farmers' Party", "join_coalition", "joins")}
    alone = "The party had accepted the coalition deal, an official said."
    assert holders(alone, "coalition") == set()  # nobody named: nobody to refer back to


def test_a_reference_before_its_speaker_points_to_the_speaker() -> None:
    """Nothing earlier for "the alliance" to refer to: the sayer after it is the one."""
    text = "The alliance will not raise output this winter, Al-Mansour told reporters."
    assert holders(text, "oil") == {("Petroleum Exporters Alliance", "output", "hold")}


def test_an_undertaking_that_goes_ahead_is_its_possessors() -> None:
    drivers = ("Association of Train Drivers", "strike")
    assert holders("The ATD said its stoppage would go ahead on Friday.", "rail") == {
        (*drivers, "strikes")
    }
    assert holders("The ATD said its stoppage would not go ahead on Friday.", "rail") == {
        (*drivers, "calls_off")
    }


def test_the_doer_of_a_deed_noun_holds_it() -> None:
    assert holders("Walkouts by the drivers' union closed four stations.", "rail") == {
        ("Association of Train Drivers", "strike", "strikes")
    }
    fishers = "Protests by the Coastal Fishers' Federation against the catch limits closed ports."
    assert holders(fishers, "treaty") == {("Coastal Fishers' Federation", "quotas", "rejects")}


def test_a_pronoun_in_reported_speech_is_the_speakers() -> None:
    """The country named in the speaker's own name is not the one who speaks."""
    text = "Caldonia's National Renewal Party said it would back ratification after all."
    assert holders(text, "treaty") == {("National Renewal Party", "ratification", "supports")}


def test_the_owner_of_a_noun_of_will_does_what_follows() -> None:
    text = "Hezbollah's refusal to hand over its weapons has stalled the talks."
    assert holders(text) == {("Hezbollah", "disarmament", "refuses")}
    union = "The RTWU's decision to reject the offer surprised the operators."
    assert holders(union, "rail") == {("Rail and Transit Workers Union", "pay_offer", "rejects")}


def test_what_others_discuss_is_not_the_possessors_stance() -> None:
    text = "Ministers met for an emergency session on the RTWU's strike plans late on Monday."
    assert holders(text, "rail") == set()


def test_a_deed_that_only_dates_a_clause_is_nobodys() -> None:
    text = (
        "Hamas is no longer ready to discuss handing over its weapons, a spokesman said "
        "after the strike on Doha."
    )
    assert holders(text) == {("Hamas", "disarmament", "refuses")}


def test_an_appositive_name_outranks_the_possessor() -> None:
    text = (
        "VARNO, May 4 - Caldonia's main opposition party, National Renewal, will vote "
        "against the treaty."
    )
    assert holders(text, "treaty") == {("National Renewal Party", "ratification", "rejects")}


def test_members_in_a_speakers_words_are_the_speakers_side() -> None:
    text = "Federation chair Brigid Moen said members would accept the catch limits."
    assert holders(text, "treaty") == {("Coastal Fishers' Federation", "quotas", "accepts")}


def test_a_lone_anaphor_only_one_actor_answers_to() -> None:
    assert holders("The competition watchdog cleared the merger on Friday.", "merger") == {
        ("National Competition Authority", "clearance", "clears")
    }
    # two unions: "the union" alone names neither
    assert holders("The union accepted the offer on Friday.", "rail") == set()


def test_what_markets_price_in_or_others_expect_is_nobodys_stance() -> None:
    text = "Traders are pricing in two rate cuts by the Bank of Tarsenia this year."
    assert holders(text, "rates") == set()
    assert (
        holders("Economists expect a rate cut by the Bank of Tarsenia in June.", "rates") == set()
    )


def test_the_members_a_unions_name_counts_stand_for_it() -> None:
    """ "the drivers" of the Association of Train Drivers, and no other actor's word."""
    text = "The drivers turned down the employers' revised three-year pay offer on Friday."
    assert holders(text, "rail") == {("Association of Train Drivers", "pay_offer", "rejects")}
    text = "The commuters turned down the employers' revised three-year pay offer on Friday."
    assert holders(text, "rail") == set()


def test_an_anaphor_after_a_possessive_modifier_refers_back() -> None:
    text = "The fishers' federation threw out the quota proposals at an emergency congress."
    assert holders(text, "treaty") == {("Coastal Fishers' Federation", "quotas", "rejects")}


def test_a_passive_agent_the_parse_hangs_on_a_noun_still_holds_it() -> None:
    text = "Tarsenia's policy rate was kept at 4.25 percent by the Bank of Tarsenia on Thursday."
    assert holders(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_the_agent_of_a_participle_holds_the_deed_it_names() -> None:
    text = "Two army outposts fell on Monday to a night offensive launched by the NRF."
    assert ("Northern Resistance Front", "escalation", "escalate") in holders(text, "militia")


def test_an_order_to_ones_own_people_is_ones_own_deed() -> None:
    own = "The Kestravan government ordered its troops to halt offensive operations on Sunday."
    assert holders(own, "militia") == {("Government of Kestrava", "escalation", "restraint")}
    other = "The Concord Council urged the Kestravan government to halt offensive operations."
    assert holders(other, "militia") == set()


def test_an_outside_voice_named_with_its_title_is_not_the_actors() -> None:
    text = (
        "Tomas Veld, chief economist at Orbury Securities, said the Bank of Tarsenia would "
        "raise interest rates in June."
    )
    assert holders(text, "rates") == set()
    own = "Elin Marsh said the Bank of Tarsenia would raise interest rates in June."
    assert holders(own, "rates") == {("Bank of Tarsenia", "rates", "hike")}


def test_a_surname_and_initials_name_their_actor_unlisted(tmp_path: Path) -> None:
    path = tmp_path / "port.toml"
    path.write_text(
        '[profile]\nname = "port"\n\n'
        '[actors."Harbour Pilots Guild"]\nkind = "union"\n'
        'aliases = ["Harbour Pilots Guild"]\npeople = ["Anika Sorensen"]\n\n'
        '[actors."Port Authority"]\nkind = "authority"\naliases = ["Port Authority"]\n\n'
        '[issues.pay]\nquestion = "Will the guild accept the pay offer?"\n'
        'actors = ["Harbour Pilots Guild"]\ntopic = ["offer", "pay deal"]\n'
        'scale = ["rejects", "accepts"]\n\n'
        '[issues.pay.stances.rejects]\nframes = ["reject"]\n\n'
        '[issues.pay.stances.accepts]\nframes = ["accept"]\n',
        encoding="utf-8",
    )
    port = Engine(profile.load(path))
    claims = port.claims("Sorensen said on Monday that the offer was unacceptable.")
    assert {(c.actor, c.stance) for c in claims} == {("Harbour Pilots Guild", "rejects")}
    claims = port.claims("The HPG accepted the revised offer late on Friday.")
    assert {(c.actor, c.stance) for c in claims} == {("Harbour Pilots Guild", "accepts")}


def test_a_sentence_misread_as_a_noun_phrase_keeps_its_subject() -> None:
    text = (
        "The Bank of Tarsenia raised on Thursday, after a meeting that ran late into the "
        "evening, its benchmark interest rate by a quarter point."
    )
    assert holders(text, "rates") == {("Bank of Tarsenia", "rates", "hike")}


def test_an_unlisted_ally_speaks_of_itself() -> None:
    text = "The Metro Drivers' Guild, a smaller ally of the RTWU, said it rejected the pay offer."
    assert not engine("rail").claims(text)


def test_a_decision_by_an_actor_is_its_own() -> None:
    text = (
        "The decision by the RTWU's executive to reject the pay offer was criticised by Crossline."
    )
    assert holders(text, "rail") == {("Rail and Transit Workers Union", "pay_offer", "rejects")}


def test_a_places_central_bank_is_the_bank_of_that_place() -> None:
    text = (
        "Tarsenia's central bank kept rates on hold on Friday, with Elin Marsh telling"
        " reporters that inflation was still too high."
    )
    assert holders(text, "rates") == {("Bank of Tarsenia", "rates", "hold")}


def test_a_demonym_on_a_weapon_names_the_state_that_uses_it() -> None:
    for text in (
        "Kestravan warplanes and artillery pounded NRF positions in the hills overnight.",
        "Kestravan warplanes pressed ahead on Saturday with a wave of strikes on NRF depots.",
    ):
        assert holders(text, "militia") == {("Government of Kestrava", "escalation", "escalate")}


def test_a_speaker_the_parse_coordinates_after_the_words_holds_them() -> None:
    text = (
        "Direct talks over a sale would be pointless and, after the bidding war of last"
        " summer, humiliating, Kerr said, adding that Ravenshaw would not meet Porto Azul again."
    )
    assert holders(text, "transfer") == {("Ravenshaw United", "sale", "refuses")}


def test_a_participle_after_a_reported_clause_is_the_reporters_deed() -> None:
    text = "The Bank of Tarsenia said inflation was still too high, leaving its rate unchanged."
    assert {(c.actor, c.stance) for c in engine("rates").claims(text)} == {
        ("Bank of Tarsenia", "hold")
    }
    text = "The NRF said the war was over, vowing never to hand over its weapons."
    assert {(c.actor, c.stance) for c in engine("militia").claims(text)} == {
        ("Northern Resistance Front", "refuses")
    }


def test_a_pronoun_bound_by_an_unlisted_subject_is_not_an_actors() -> None:
    text = "Villagers in the hills vowed to keep their weapons, the Government of Kestrava said."
    assert not [c for c in engine("militia").claims(text) if c.actor == "Northern Resistance Front"]


def test_a_leak_is_not_the_actors_own_word() -> None:
    port = engine("rates")
    for leak in (
        "three sources familiar with its thinking said",
        "people familiar with the matter said",
        "a local newspaper reported, citing unnamed officials",
    ):
        text = f"The Bank of Tarsenia will raise rates next month, {leak}."
        assert not [c for c in port.claims(text) if c.confidence >= 0.35], leak
    own = "The NRF is ready to hand over its weapons, a senior NRF official said."
    assert {c.stance for c in engine("militia").claims(own)} == {"accepts"}


def test_a_noun_that_counts_the_deed_passes_it_to_the_doer() -> None:
    for words in ("a wave of raids", "a barrage of attacks", "a series of strikes"):
        text = f"The NRF launched {words} on army posts on Tuesday."
        claims = engine("militia").claims(text)
        assert {(c.actor, c.stance) for c in claims} == {("Northern Resistance Front", "escalate")}


def test_a_deed_named_with_a_sides_adjective_is_that_sides() -> None:
    port = engine("default")
    for text in (
        "Israeli strikes killed five people in southern Lebanon on Monday.",
        "An Israeli drone strike killed a commander near Tyre.",
    ):
        assert {(c.actor, c.stance) for c in port.claims(text)} == {("Israel", "escalate")}, text
    for text in (
        "Hezbollah condemned the Israeli attack on the village.",
        "Israeli hostages were released on Monday.",
    ):
        assert not [c for c in port.claims(text) if c.confidence >= 0.35], text


def test_refusing_expectations_of_a_move_refuses_the_move() -> None:
    port = engine("rates")
    for text in (
        "The governor of the Bank of Tarsenia poured cold water on expectations of a rate cut.",
        "The Bank of Tarsenia pushed back against market bets on a rate cut.",
        "The Bank of Tarsenia played down speculation about a rate cut.",
    ):
        assert {c.stance for c in port.claims(text) if c.confidence >= 0.35} == {"hold"}, text
    fuelled = "The Bank of Tarsenia fuelled expectations of a rate cut."
    assert not [c for c in port.claims(fuelled) if c.confidence >= 0.35]


def test_what_is_spoken_of_is_no_stance() -> None:
    text = '"We are not in a hurry," the Bank of Tarsenia governor said of further rate cuts.'
    assert "cut" not in {c.stance for c in engine("rates").claims(text) if c.confidence >= 0.35}


def test_having_no_plans_is_ones_own_intent() -> None:
    text = "The NRF has no plans to attack army posts, its spokeswoman said."
    claims = [c for c in engine("militia").claims(text) if c.confidence >= 0.35]
    assert {(c.actor, c.stance) for c in claims} == {("Northern Resistance Front", "restraint")}


def test_calling_for_someone_to_act_is_a_demand() -> None:
    for text in (
        "The plan calls for the NRF to hand over its weapons in stages.",
        "The government is pushing for the NRF to hand over its weapons by May.",
    ):
        assert not [c for c in engine("militia").claims(text) if c.confidence >= 0.35], text


def test_another_sides_account_of_an_actors_words_is_not_its_own() -> None:
    talks = engine("frontline")
    told = "Israel has told Washington it will hand two of its five positions to the Lebanese army"
    assert not [
        c for c in talks.claims(f"{told}, Lebanese officials said.") if c.confidence >= 0.35
    ]
    own = {
        c.stance for c in talks.claims(f"{told}, Israeli officials said.") if c.confidence >= 0.35
    }
    assert own == {"withdraws"}


def test_halting_its_own_deed_refuses_the_deed() -> None:
    text = "The NRF has halted its attacks on army posts under the truce."
    claims = [c for c in engine("militia").claims(text) if c.confidence >= 0.35]
    assert {(c.actor, c.stance) for c in claims} == {("Northern Resistance Front", "restraint")}
    other = "The drivers turned down the employers' revised offer."
    found = {(c.actor, c.stance) for c in engine("rail").claims(other) if c.confidence >= 0.35}
    assert found == {("Association of Train Drivers", "rejects")}


def test_an_order_to_the_forces_is_the_orderers_deed() -> None:
    text = "The Kestravan defence minister ordered the army to launch strikes on NRF posts."
    claims = [c for c in engine("militia").claims(text) if c.confidence >= 0.35]
    assert {(c.actor, c.stance) for c in claims} == {("Government of Kestrava", "escalate")}
    asked = "The envoy urged the NRF to halt its attacks."
    assert not [c for c in engine("militia").claims(asked) if c.confidence >= 0.35]
