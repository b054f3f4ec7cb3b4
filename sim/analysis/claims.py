"""The claims C1-C19 the model exists to test, each with the sentence it comes from in the three
2025 source articles (``../shared/seeds/``: 000 Shifrinson, 001 Benson (CAP), 002 the Reuters
report on the 2027 deadline). Scenario files list claims by number; reports, the app and
``natosim list`` show the sentence."""

from __future__ import annotations

CLAIMS: dict[str, tuple[str, str]] = {
    "C1": (
        "000",
        (
            "by constraining itself in Europe, Washington can focus attention on other "
            "strategic priorities—especially in Asia and at home."
        ),
    ),
    "C2": (
        "000",
        (
            "the Trump administration appears more open than recent US administrations to "
            "seeing the European allies replace or duplicate the conventional military "
            "capabilities long-provided by Washington."
        ),
    ),
    "C3": (
        "000",
        (
            "Prior US administrations solicited greater European military contributions by "
            "cajoling allies to spend more on defence without imposing consequences when "
            "they failed to honor their pledges."
        ),
    ),
    "C4": ("000", "Washington’s pressure campaign may be succeeding."),
    "C5": ("000", "First, Europe gets a vote—and the vote could go either way."),
    "C6": (
        "000",
        (
            "the more that the European allies stand up on defence, the more agency they "
            "are likely to exert and the less meaningful will be US abandonment threats."
        ),
    ),
    "C7": (
        "000",
        "compelled to either the last full nuclear measure or allied abandonment amid a crisis.",
    ),
    "C8": (
        "000",
        (
            "Shifts in the distribution of power—as would accompany European NATO standing "
            "up as the US steps back—tend to roil relations between states."
        ),
    ),
    "C9": (
        "001",
        (
            "The truth is that no amount of European defense spending will resolve the "
            "alliance’s deepening political rift"
        ),
    ),
    "C10": (
        "001",
        (
            "His regime has already moved to a full war economy, with defense spending now "
            "accounts for one-third of the total Russian budget."
        ),
    ),
    "C11": (
        "001",
        (
            "Putin could test the alliance with a small incursion, likely in the Baltics "
            "or South Eastern Europe."
        ),
    ),
    "C12": (
        "001",
        (
            "Moscow is already carrying out advanced cyber and infrastructure attacks on "
            "NATO territory, virtually with impunity."
        ),
    ),
    "C13": (
        "001",
        (
            "NATO must issue a direct and unambiguous reaffirmation of Article 5, backed by "
            "updated contingency planning."
        ),
    ),
    "C14": ("001", "The ambiguity itself is corrosive."),
    "C15": (
        "002",
        (
            "if Europe fails to meet the 2027 deadline, the United States could end its "
            "participation in some NATO defense coordination mechanisms."
        ),
    ),
    "C16": (
        "002",
        (
            "Europe needs not only money and political will, but also time to replace "
            "American capabilities."
        ),
    ),
    "C17": (
        "002",
        (
            "The United States also contributes capabilities to NATO defense that cannot "
            "be replaced by simple procurement"
        ),
    ),
    "C18": ("002", "The EU has set a goal of being able to provide its defense by 2030"),
    "C19": (
        "002",
        (
            "Officials did not elaborate on how the United States would measure Europe’s "
            "progress in taking on the burden."
        ),
    ),
}


def sentence(claim: str) -> str:
    """``C3: "Prior US administrations ..." (seed 000)``."""
    seed, text = CLAIMS[claim]
    return f'{claim}: "{text}" (seed {seed})'
