"""Made-up but plausible Flemish names for municipalities, people, streets and places."""

from __future__ import annotations

import random

from digicoach.bookings import rules as booking_rules


def _words(text: str) -> list[str]:
    """Names separated by white space; an underscore joins the words of one name."""
    return [word.replace("_", " ") for word in text.split()]


REAL_NAMES = _words(
    """Antwerpen Gent Brugge Leuven Mechelen Aalst Kortrijk Hasselt Sint-Niklaas Genk
Oostende Roeselare Turnhout Dendermonde Beveren Heist-op-den-Berg Lokeren Vilvoorde Geel
Waregem Ninove Mol Lier Herentals Ieper Tienen Diest Tielt Eeklo Oudenaarde Zottegem Ronse
Menen Wevelgem Harelbeke Deinze Lede Wetteren Zele Hamme Temse Bornem Puurs Willebroek Boom
Kontich Mortsel Edegem Schoten Brasschaat Kapellen Stabroek Zoersel Malle Brecht Hoogstraten
Essen Kalmthout Wuustwezel Westerlo Herselt Laakdal Balen Dessel Retie Arendonk Ravels Beerse
Vosselaar Lille Kasterlee Olen Hulshout Nijlen Berlaar Duffel Bonheiden Putte Keerbergen
Haacht Kampenhout Zemst Grimbergen Meise Wemmel Asse Ternat Dilbeek Lennik Gooik Liedekerke
Affligem Opwijk Merchtem Londerzeel Kapelle-op-den-Bos Steenokkerzeel Zaventem Kraainem
Tervuren Overijse Huldenberg Bertem Herent Kortenberg Rotselaar Aarschot Begijnendijk
Tremelo Scherpenheuvel-Zichem Bekkevoort Glabbeek Kortenaken Landen Zoutleeuw Lubbeek Bierbeek
Boutersem Hoegaarden Holsbeek Lummen Herk-de-Stad Halen Beringen Leopoldsburg Heusden-Zolder
Houthalen-Helchteren Zonhoven Diepenbeek Bilzen Tongeren Borgloon Sint-Truiden Alken
Nieuwerkerken Wellen Kortessem Hoeselt Riemst Lanaken Maasmechelen Dilsen-Stokkem Maaseik
Kinrooi Bree Peer Hamont-Achel Neerpelt Lommel Hechtel-Eksel Meeuwen-Gruitrode Opglabbeek As
Zutendaal Knokke-Heist Blankenberge Damme Zedelgem Oostkamp Beernem Torhout Jabbeke
Oudenburg Gistel Middelkerke Nieuwpoort Koksijde Veurne Diksmuide Poperinge Wervik Zonnebeke
Staden Moorslede Izegem Ingelmunster Lendelede Kuurne Zwevegem Avelgem Anzegem Deerlijk
Wielsbeke Oostrozebeke Pittem Ardooie Lichtervelde Kortemark Koekelare Hooglede Ledegem"""
)

# For the rest: plausible Flemish-sounding names, made from parts.
NAME_STARTS = _words(
    "Ber Hove Laar Meer Zand Hoog Wil Ter Hel Oost West Noord Zuid Eke Mal Bos Linde Roze Ham "
    "Over Neer Brem Hul Vel Dor Kalk Heide Beek Moer Bruk Eiken Wolver Stee Lover Grim Haver"
)
NAME_ENDS = _words(
    "gem zele kerke hout beek dijk rode hove lo donk sele aken inge dorp veld broek berg"
)
PROVINCES = (
    # (NIS arrondissements, postcode range) of Antwerpen, Vlaams-Brabant, West-Vlaanderen,
    # Oost-Vlaanderen and Limburg.
    ((11, 12, 13), (2000, 2999)),
    ((23, 24), (1500, 1999)),
    ((31, 32, 33, 34, 35, 36, 37, 38), (8000, 8999)),
    ((41, 42, 43, 44, 45, 46), (9000, 9999)),
    ((71, 72, 73), (3500, 3999)),
)
BIG_CITIES = {"Antwerpen": 9.0, "Gent": 8.0}
CITIES = {
    name: 3.0
    for name in _words(
        "Brugge Leuven Mechelen Aalst Kortrijk Hasselt Sint-Niklaas Genk Oostende Roeselare"
    )
}
NEIGHBOURHOODS = _words(
    "Centrum Noord Zuid Oost West Station Kerkwijk Heide Dorp Molenwijk Hoogveld Kouter "
    "Bosstraat Meersen Blekerij Kapelleke Zandberg Ter_Linden Hof_ter_Beke"
)
STREETS = _words(
    "Kerkstraat Stationsstraat Dorpsstraat Markt Molenstraat Schoolstraat Nieuwstraat "
    "Kapelstraat Beekstraat Heirbaan Steenweg Kouterstraat"
)
FIRST_NAMES = _words(
    "Jan Marie Luc An Koen Sofie Pieter Els Tom Lien Wim Fatima Mohamed Yasmina Bart Hilde "
    "Joris Nathalie Ahmed Leen Ruben Emma Louis Nora Lucas Olivia Arthur Ayşe Mehmet Ines "
    "Dirk Greet Hanne Stijn Katrien Sam Zeynep Omar Julie Maarten"
)
LAST_NAMES = _words(
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters De_Smet Dubois "
    "Hermans Aerts Pauwels Vermeulen Van_Damme Lambrechts El_Amrani Yilmaz Desmet Verbruggen "
    "De_Backer Michiels Segers Cools Coppens Vandenberghe Smets Bogaert Nowak"
)
LOCATION_KINDS = ("Bibliotheek", "Dienstencentrum", "Sociaal Huis", "Buurthuis", "Gemeentehuis")


def municipality_names(count: int, rng: random.Random) -> list[str]:
    names = list(REAL_NAMES[:count])
    seen = set(names)
    while len(names) < count:
        made = rng.choice(NAME_STARTS) + rng.choice(NAME_ENDS)
        if rng.random() < 0.15:
            made = "Sint-" + made
        if made not in seen:
            seen.add(made)
            names.append(made)
    return names


def reference(index: int) -> str:
    """A unique 'K7M-4QX' for every index: a fixed permutation of the 25**6 references."""
    alphabet = booking_rules.REFERENCE_ALPHABET
    size = len(alphabet)
    space = size**6
    # 7,368,787 is not divisible by 5, so multiplying by it permutes 0 .. 25**6 - 1.
    number = (index * 7_368_787 + 1_234_567) % space
    chars = []
    for _ in range(6):
        number, digit = divmod(number, size)
        chars.append(alphabet[digit])
    return "".join(chars[:3]) + "-" + "".join(chars[3:])
